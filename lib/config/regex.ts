/**
 * Config regexes are RE2 syntax (Envoy `safe_regex`) but run as JavaScript RegExps after the
 * router's RE2 → JS translation. A regex is accepted only when that translation compiles and it
 * uses nothing RE2 lacks, so a config that loads here also loads in Envoy and matches the same.
 */
import { compileRe2, translateRe2Substitution } from '../router/re2.js';

/** null when usable, else the reason (naming the regex). */
export function checkRegex(regex: string): string | null {
  const gap = findRe2Gap(regex);
  if (gap !== null) return `invalid regex "${regex}": ${gap} is not supported by RE2`;
  try {
    compileRe2(regex, '', { anchored: true });
  } catch (err) {
    return `invalid regex "${regex}": ${reasonOf(err)}`;
  }
  return null;
}

/** null when `substitution` is a valid RE2 rewrite for `regex` (which must already be valid). */
export function checkSubstitution(regex: string, substitution: string): string | null {
  try {
    translateRe2Substitution(substitution, compileRe2(regex, '', { anchored: false }), '');
  } catch (err) {
    return `invalid substitution "${substitution}": ${reasonOf(err).replace(/^: /, '')}`;
  }
  return null;
}

function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /invalid regex '.*?': ([\s\S]*)$/.exec(msg);
  return (m === null ? msg : m[1]!).replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
}

// Walks the pattern once, skipping escapes and character classes, looking for backreferences
// and lookaround: the backtracking-only features RE2 leaves out (JS would accept them).
function findRe2Gap(regex: string): string | null {
  let inClass = false;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') {
      const next = regex[i + 1] ?? '';
      if (!inClass && next >= '1' && next <= '9') return `backreference "\\${next}"`;
      if (!inClass && next === 'k' && regex[i + 2] === '<') return 'named backreference "\\k<…>"';
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal in RE2.
      if (regex[i + 1] === '^') i++;
      if (regex[i + 1] === ']') i++;
    } else if (c === '(' && regex[i + 1] === '?') {
      const look = regex.slice(i + 2, i + 4);
      if (look.startsWith('=') || look.startsWith('!')) return `lookahead "(?${look[0]}"`;
      if (look === '<=' || look === '<!') return `lookbehind "(?${look}"`;
    }
  }
  return null;
}
