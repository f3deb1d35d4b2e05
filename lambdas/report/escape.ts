/**
 * Text made safe inside HTML and SVG: element content and quoted attribute values alike. The
 * report, its charts and the exporter's e-mail all write through this one function.
 */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
