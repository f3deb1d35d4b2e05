/**
 * A raw MIME e-mail (RFC 5322 / 2045-2047 / 2183 / 2231) with a text and an HTML body and file
 * attachments, for SES v2 SendEmail's Raw content (Simple content cannot attach files). Every
 * header value that comes from data is encoded, never pasted: subjects as RFC 2047 encoded words,
 * file names as RFC 2231 parameters, and bodies in base64, so no data can add a header or a part.
 */
import { randomBytes } from 'node:crypto';

export interface MimeAttachment {
  readonly fileName: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export interface MimeEmail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments?: readonly MimeAttachment[];
  /** Part boundary stem. @default random */
  readonly boundary?: string;
}

const CRLF = '\r\n';

/** Base64 in lines of 76 characters, as RFC 2045 requires of a body. */
export function base64Lines(content: Buffer): string {
  return (content.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

/** An RFC 2047 encoded word (UTF-8, base64), split so no encoded word exceeds 75 characters. */
export function encodeHeaderWord(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text) && !text.includes('=?')) return text;
  const words: string[] = [];
  let chunk = '';
  for (const character of text) {
    // 45 bytes of UTF-8 become 60 base64 characters: 72 with the `=?UTF-8?B?` and `?=` around.
    if (Buffer.byteLength(chunk + character) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += character;
  }
  words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word).toString('base64')}?=`).join(`${CRLF} `);
}

/** A plain address only: a line break or angle bracket in one would be a header injection. */
function address(text: string): string {
  if (/[\r\n<>,;"]/.test(text)) throw new Error(`not a plain e-mail address: ${JSON.stringify(text)}`);
  return text;
}

/** `filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 2183 with RFC 2231 for any character). */
function fileNameParameters(name: string, parameter: 'name' | 'filename'): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${parameter}="${ascii}"; ${parameter}*=UTF-8''${encoded}`;
}

/** The message's bytes, CRLF line ends, ready for SendEmail `Content.Raw.Data`. */
export function buildMimeEmail(email: MimeEmail): Buffer {
  const stem = email.boundary ?? randomBytes(12).toString('hex');
  const mixed = `mixed-${stem}`;
  const alternative = `alt-${stem}`;
  const part = (contentType: string, content: Buffer, extra: string[] = []) => [
    `Content-Type: ${contentType}`,
    'Content-Transfer-Encoding: base64',
    ...extra,
    '',
    base64Lines(content),
  ];
  const lines = [
    `From: ${address(email.from)}`,
    `To: ${email.to.map(address).join(', ')}`,
    `Subject: ${encodeHeaderWord(email.subject)}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alternative}"`,
    '',
    `--${alternative}`,
    ...part('text/plain; charset=UTF-8', Buffer.from(email.text)),
    `--${alternative}`,
    ...part('text/html; charset=UTF-8', Buffer.from(email.html)),
    `--${alternative}--`,
    ...(email.attachments ?? []).flatMap((attachment) => [
      `--${mixed}`,
      ...part(`${attachment.contentType}; ${fileNameParameters(attachment.fileName, 'name')}`, attachment.content, [
        `Content-Disposition: attachment; ${fileNameParameters(attachment.fileName, 'filename')}`,
      ]),
    ]),
    `--${mixed}--`,
    '',
  ];
  return Buffer.from(lines.join(CRLF));
}
