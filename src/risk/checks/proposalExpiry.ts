/**
 * Rule 0: a proposal past its ttl is never acted on (its market picture is gone). Pure; performs no I/O.
 */
import { veto, type Check } from './types.ts';

/** Vetoes a proposal whose `createdAt + ttlMs` lies before `now`. */
export const proposalExpiry: Check = (ctx) => {
  const { proposal, now } = ctx;
  const expiresAt = proposal.createdAt + proposal.ttlMs;
  if (now > expiresAt) {
    return veto('proposal_expired', 'ttl', now - proposal.createdAt, now - proposal.createdAt, proposal.ttlMs, `proposal ${proposal.proposalId} expired ${now - expiresAt} ms ago`);
  }
  return undefined;
};
