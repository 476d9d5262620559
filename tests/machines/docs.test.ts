/**
 * Holds `docs/machines/<name>.md` to the charts: the generated state and transition tables in each doc must equal
 * what the machine definition renders today, and every state must be named in the doc's mermaid chart or tables.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { connectionMachine } from '../../machines/connection/connectionMachine.ts';
import { tradeMachine } from '../../machines/trade/tradeMachine.ts';
import { stateTable, transitionTable } from './chartTable.ts';

const block = (doc: string, name: string): string => {
  const match = new RegExp(`<!-- generated:${name} -->\\n([\\s\\S]*?)\\n<!-- /generated:${name} -->`).exec(doc);
  return match?.[1] ?? '';
};

const charts: Array<{ name: string; machine: AnyStateMachine }> = [
  { name: 'trade', machine: tradeMachine },
  { name: 'connection', machine: connectionMachine },
];

describe('chart docs', () => {
  it.each(charts)('the doc of the $name chart lists its states and transitions', ({ name, machine }) => {
    const doc = readFileSync(new URL(`../../docs/machines/${name}.md`, import.meta.url), 'utf8');
    expect(doc).toContain('```mermaid');
    expect(block(doc, 'states')).toBe(stateTable(machine));
    expect(block(doc, 'transitions')).toBe(transitionTable(machine));
  });
});
