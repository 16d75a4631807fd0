import { SkiffError } from '../errors.js';

/**
 * Envoy regexes are RE2. JavaScript's engine accepts nearly the same syntax; this translates the
 * RE2-only spellings that real configs use (`(?P<name>…)`, leading `(?i)`-style flags, `\A`,
 * `\z`, `\Q…\E`, POSIX classes) and compiles once at config load.
 */

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '\\w',
  xdigit: '0-9A-Fa-f',
};

const META = /[\\^$.*+?()[\]{}|/-]/g;

function fail(where: string, pattern: string, reason: string): never {
  throw new SkiffError('SKIFF_ERR_CONFIG', `${where}: invalid regex '${pattern}': ${reason}`);
}

/** RE2 source → JavaScript source and flags. */
export function translateRe2(pattern: string, where: string): { source: string; flags: string } {
  let flags = '';
  let rest = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(rest);
  if (lead !== null) {
    for (const f of lead[1]!) {
      if (f === 'U') fail(where, pattern, 'ungreedy flag (?U) is not supported');
      if (!flags.includes(f)) flags += f;
    }
    rest = rest.slice(lead[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '\\') {
      const n = rest[i + 1];
      if (n === undefined) fail(where, pattern, 'trailing backslash');
      if (n === 'Q') {
        const end = rest.indexOf('\\E', i + 2);
        const literal = rest.slice(i + 2, end === -1 ? rest.length : end);
        out += literal.replace(META, '\\$&');
        i = end === -1 ? rest.length : end + 1;
        continue;
      }
      if (!inClass && n === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && n === 'z') out += '(?![\\s\\S])';
      else out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && rest[i + 1] === ':') {
        const end = rest.indexOf(':]', i + 2);
        const cls = end === -1 ? undefined : POSIX_CLASSES[rest.slice(i + 2, end)];
        if (cls !== undefined) {
          out += cls;
          i = end + 1;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal in RE2.
      if (rest[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (rest[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && rest.startsWith('?P<', i + 1)) {
      out += '(?<';
      i += 3;
      continue;
    }
    out += c;
  }
  return { source: out, flags };
}

/** Compiles an RE2 pattern. `anchored` wraps it as `^(?:re)$` for Envoy's full-match semantics. */
export function compileRe2(
  pattern: string,
  where: string,
  opts: { anchored: boolean; global?: boolean },
): RegExp {
  const { source, flags } = translateRe2(pattern, where);
  const body = opts.anchored ? `^(?:${source})$` : source;
  try {
    return new RegExp(body, opts.global === true ? `${flags}g` : flags);
  } catch (err) {
    return fail(where, pattern, (err as Error).message);
  }
}

/** Number of capture groups in a compiled regex. */
function groupCount(re: RegExp): number {
  return new RegExp(`${re.source}|`, re.flags.replace('g', '')).exec('')!.length - 1;
}

/**
 * RE2 rewrite string (`\1`…`\9`, `\0` for the whole match, `\\` for a backslash, `$` literal) →
 * a JavaScript replacement string. Two-digit `$0N` keeps `\1` followed by a digit unambiguous.
 */
export function translateRe2Substitution(sub: string, re: RegExp, where: string): string {
  const groups = groupCount(re);
  let out = '';
  for (let i = 0; i < sub.length; i++) {
    const c = sub[i]!;
    if (c === '$') {
      out += '$$';
    } else if (c === '\\') {
      const n = sub[i + 1];
      i++;
      if (n === '\\') out += '\\';
      else if (n !== undefined && n >= '0' && n <= '9') {
        const g = n.charCodeAt(0) - 48;
        if (g > groups) {
          throw new SkiffError('SKIFF_ERR_CONFIG', `${where}: substitution '${sub}' refers to group ${g}`);
        }
        out += g === 0 ? '$&' : `$0${g}`;
      } else {
        throw new SkiffError('SKIFF_ERR_CONFIG', `${where}: invalid escape in substitution '${sub}'`);
      }
    } else {
      out += c;
    }
  }
  return out;
}
