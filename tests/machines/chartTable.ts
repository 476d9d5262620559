/**
 * Renders a chart's transitions and entry/exit actions as the markdown tables of `docs/machines/<name>.md`, straight
 * from the machine definition, so a test can hold the docs to the code. Test support only.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

type GuardLike = string | { type: string; params?: unknown } | ((...args: never[]) => unknown) | undefined;

const guardText = (g: unknown): string => {
  const guard = g as GuardLike;
  if (guard === undefined) return '';
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const f = guard as { name: string; guards?: unknown[]; stateValue?: unknown };
    if (f.stateValue !== undefined) return `in(${JSON.stringify(f.stateValue)})`;
    const parts = (f.guards ?? []).map(guardText);
    if (f.name === 'not') return `!${parts[0] ?? '?'}`;
    if (f.name === 'and') return parts.join(' && ');
    if (f.name === 'or') return parts.join(' || ');
    return 'inline';
  }
  const params = guard.params as Record<string, unknown> | undefined;
  return params === undefined ? guard.type : `${guard.type}(${Object.values(params).map(String).join(', ')})`;
};

const actionText = (a: unknown): string => {
  if (typeof a === 'string') return a;
  if (typeof a === 'function') return (a as { name: string }).name || 'inline';
  const action = a as { type: string; params?: Record<string, unknown> };
  const p = action.params;
  if (p === undefined || typeof p !== 'object') return action.type;
  const inner = 'kind' in p ? String(p['kind']) : 'outcome' in p ? String(p['outcome']) : Object.values(p).map(String).join(', ');
  return `${action.type}(${inner})`;
};

const nodesOf = (node: AnyStateNode): AnyStateNode[] => [node, ...Object.values(node.states).flatMap((n) => nodesOf(n))];
const rel = (machine: AnyStateMachine, node: AnyStateNode): string => (node === machine.root ? '(root)' : node.id.slice(machine.id.length + 1));

const row = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|') || '—').join(' | ')} |`;

const transitionRow = (machine: AnyStateMachine, t: AnyTransitionDefinition): string =>
  row([
    `\`${rel(machine, t.source)}\``,
    t.eventType === '' ? '(always)' : `\`${String(t.eventType)}\``,
    guardText(t.guard),
    (t.target ?? []).map((n) => `\`${rel(machine, n)}\``).join(', ') + (t.reenter === true ? ' (re-enter)' : ''),
    (t.actions as unknown[]).map(actionText).join(', '),
  ]);

/** Returns the markdown table of every transition: state, event, guard, target, actions (in definition order). */
export const transitionTable = (machine: AnyStateMachine): string => {
  const lines = [row(['state', 'event', 'guard', 'target', 'actions']), '|---|---|---|---|---|'];
  for (const node of nodesOf(machine.root)) {
    for (const defs of node.transitions.values()) for (const t of defs) lines.push(transitionRow(machine, t));
    for (const t of node.always ?? []) lines.push(transitionRow(machine, t));
  }
  return lines.join('\n');
};

/** Returns the markdown table of every state with its description and its entry and exit actions. */
export const stateTable = (machine: AnyStateMachine): string => {
  const lines = [row(['state', 'description', 'entry', 'exit']), '|---|---|---|---|'];
  for (const node of nodesOf(machine.root)) {
    if (node === machine.root) continue;
    lines.push(row([`\`${rel(machine, node)}\``, node.description ?? '', node.entry.map(actionText).join(', '), node.exit.map(actionText).join(', ')]));
  }
  return lines.join('\n');
};
