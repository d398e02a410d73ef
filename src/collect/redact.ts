/**
 * Redaction of secrets in what a recording stores about its target: command lines (flag values
 * such as `--password=…`, `-token X`, `DB_PASSWORD=…`, passwords in URLs) and URLs (userinfo and
 * secret-looking query parameters). Recordings get shared; these values must not travel with them.
 */

export const REDACTED = "<redacted>";

/** Names that usually carry a secret (matched anywhere in a flag or variable name, any case). */
const SECRET_NAME =
  /(pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|creds?\b|auth|bearer|session|cookie|signature|dsn|conn(ection)?[-_]?str(ing)?|\bkey$)/i;

export function looksLikeSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** `scheme://user:pass@host/...?token=x` → password and secret query values replaced. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactInlineCredentials(url);
  }
  if (parsed.password) parsed.password = REDACTED;
  for (const [name] of [...parsed.searchParams]) {
    if (looksLikeSecretName(name)) parsed.searchParams.set(name, REDACTED);
  }
  // URL encodes "<redacted>"; keep it readable.
  return parsed.href
    .replaceAll(encodeURIComponent(REDACTED), REDACTED)
    .replaceAll("%3Credacted%3E", REDACTED);
}

/** Passwords inside something URL-like that `URL` cannot parse (`user:pw@tcp(host)/db`). */
function redactInlineCredentials(text: string): string {
  return text.replace(/([A-Za-z0-9._%+-]+):([^@/\s:]+)@/g, (_m, user: string) => `${user}:${REDACTED}@`);
}

/**
 * A command line with secret values replaced: `--password=x`, `--token x`, `-api-key=x`,
 * `NAME_SECRET=x` (env-style arguments), and credentials inside URL arguments.
 */
export function redactCommandLine(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const flagWithValue = /^(--?[A-Za-z0-9][A-Za-z0-9._-]*)=(.*)$/s.exec(arg);
    if (flagWithValue) {
      out.push(
        looksLikeSecretName(flagWithValue[1]!)
          ? `${flagWithValue[1]}=${REDACTED}`
          : `${flagWithValue[1]}=${redactValue(flagWithValue[2]!)}`,
      );
      continue;
    }
    const bareFlag = /^--?([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(arg);
    if (
      bareFlag &&
      looksLikeSecretName(bareFlag[1]!) &&
      i + 1 < argv.length &&
      !argv[i + 1]!.startsWith("-")
    ) {
      out.push(arg, REDACTED);
      i++;
      continue;
    }
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(arg);
    if (assignment && looksLikeSecretName(assignment[1]!)) {
      out.push(`${assignment[1]}=${REDACTED}`);
      continue;
    }
    out.push(redactValue(arg));
  }
  return out;
}

function redactValue(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return redactUrl(value);
  if (/[A-Za-z0-9._%+-]+:[^@/\s:]+@/.test(value)) return redactInlineCredentials(value);
  return value;
}
