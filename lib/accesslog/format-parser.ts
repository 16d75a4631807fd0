import { OPERATORS, type Operator } from './operators.js';

/** One compiled piece of a format string: literal text, or an operator with its `:Z` limit. */
export type Part = string | { readonly op: Operator; readonly maxLen: number | null };

const NAME = /[A-Z0-9_]/;

/**
 * Splits a format string into literal text and compiled operators
 * (`%NAME%`, `%NAME(arg)%`, `%NAME(arg):Z%`; `%%` is a literal `%`).
 * Returns an error reason for the first malformed or unknown operator.
 */
export function parseFormat(format: string): Part[] | string {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < format.length) {
    const ch = format[i]!;
    if (ch !== '%') {
      text += ch;
      i++;
      continue;
    }
    if (format[i + 1] === '%') {
      text += '%';
      i += 2;
      continue;
    }
    let j = i + 1;
    while (j < format.length && NAME.test(format[j]!)) j++;
    const name = format.slice(i + 1, j);
    if (name === '') {
      return `invalid % at position ${i}: expected a command operator (use %% for a literal %)`;
    }
    let arg: string | null = null;
    if (format[j] === '(') {
      const close = format.indexOf(')', j + 1);
      if (close < 0) return `unterminated %${name}(`;
      arg = format.slice(j + 1, close);
      j = close + 1;
    }
    let maxLen: number | null = null;
    if (format[j] === ':') {
      let k = j + 1;
      while (k < format.length && format[k]! >= '0' && format[k]! <= '9') k++;
      if (k === j + 1) return `invalid length in %${format.slice(i + 1, k)}: expected digits after ':'`;
      maxLen = Number(format.slice(j + 1, k));
      j = k;
    }
    if (format[j] !== '%') return `unterminated %${format.slice(i + 1, j)}`;
    const factory = OPERATORS.get(name);
    if (factory === undefined) return `unknown command operator %${name}%`;
    const op = factory(name, arg);
    if (typeof op === 'string') return op;
    if (text !== '') parts.push(text);
    text = '';
    parts.push({ op, maxLen });
    i = j + 1;
  }
  if (text !== '') parts.push(text);
  return parts;
}
