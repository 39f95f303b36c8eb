import type { TemplatePosition } from './template-error.ts';

/**
 * Line and column of `pos` in `source` the way Go's `Tree.ErrorContext` computes them: lines count
 * from 1, the column is the byte offset from the start of the line (so the first column is 0).
 */
export function positionIn(source: string, pos: number): TemplatePosition {
  const before = source.slice(0, pos);
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (const c of before) if (c === '\n') line++;
  return { line, column: Buffer.byteLength(before.slice(lineStart), 'utf8') };
}
