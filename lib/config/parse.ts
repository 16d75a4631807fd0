import { parseAllDocuments } from 'yaml';
import type { ConfigIssue } from './errors.js';

/** One parsed document and the name its issues are reported under. */
export interface ParsedDocument {
  /** The file name, or `file#N` (1-based) when the file holds several documents. */
  readonly file: string;
  readonly value: unknown;
}

/**
 * Splits a file into documents. JSON is YAML 1.2, so one parser serves both. Syntax errors
 * become issues carrying the line and column; a document with errors is not decoded further.
 */
export function parseDocuments(
  text: string,
  fileName: string,
): { docs: ParsedDocument[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const docs: ParsedDocument[] = [];
  const all = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(all) ? all : [all];
  const many = list.length > 1;
  list.forEach((doc, i) => {
    const file = many ? `${fileName}#${i + 1}` : fileName;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = e.linePos?.[0];
        const where = pos === undefined ? '' : ` at line ${pos.line}, column ${pos.col}`;
        const reason = e.message.split(/ at line \d+, column \d+/)[0]!.trim();
        issues.push({ file: fileName, path: '', message: `YAML syntax error${where}: ${reason}` });
      }
      return;
    }
    try {
      // maxAliasCount bounds alias expansion ("billion laughs").
      const value: unknown = doc.toJS({ maxAliasCount: 100 });
      if (value !== null && value !== undefined) docs.push({ file, value });
    } catch (err) {
      issues.push({
        file,
        path: '',
        message: `YAML error: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  });
  return { docs, issues };
}
