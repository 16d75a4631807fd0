/** Node's `subjectAltName` text as a list of entries, shared by the TLS identity readers. */

/** One subject alternative name as Node prints it (`URI`, `DNS`, `email`, `IP Address`). */
export interface SubjectAltName {
  readonly type: string;
  readonly value: string;
}

/**
 * Splits Node's `subjectAltName` string (`DNS:a, URI:spiffe://…`). Since CVE-2021-44532 Node
 * writes a value holding `,` or quotes as a JSON string, so a value cannot smuggle a second
 * entry; those are decoded here instead of split.
 */
export function parseSubjectAltNameList(text: string): SubjectAltName[] {
  const out: SubjectAltName[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      } catch {
        value = text.slice(colon + 2, j);
      }
      next = text.indexOf(', ', j);
    } else {
      next = text.indexOf(', ', colon);
      value = next < 0 ? text.slice(colon + 1) : text.slice(colon + 1, next);
    }
    out.push({ type, value });
    if (next < 0) break;
    i = next + 2;
  }
  return out;
}
