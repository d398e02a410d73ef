/**
 * Go's fmt number and string formatting, reproduced exactly, so text reports can be byte-identical to
 * `go tool pprof`. JavaScript's toFixed/toExponential round exact ties away from zero; Go rounds
 * them to even. Everything else (the exact binary value, correctly rounded) already agrees, so the
 * fast paths use the JavaScript functions and only exact ties take the BigInt path.
 */

/** Go's `%.{prec}f`. */
export function formatFixed(value: number, prec: number): string {
  if (!Number.isFinite(value)) return formatNonFinite(value);
  const negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  let text: string;
  if (magnitude >= 2 ** 40 || isPossibleTie(magnitude, prec)) {
    text = exactFixed(magnitude, prec);
  } else {
    text = magnitude.toFixed(prec);
  }
  return negative ? `-${text}` : text;
}

/** Go's `%.{prec}g` (prec ≥ 1). */
export function formatG(value: number, prec: number): string {
  if (!Number.isFinite(value)) return formatNonFinite(value);
  const negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  if (magnitude === 0) return negative ? "-0" : "0";
  let { digits, exponent } = significantDigits(magnitude, prec);
  digits = digits.replace(/0+$/, "");
  if (digits === "") digits = "0";
  // Go's %g: exponent form when exp < -4 or exp >= the effective precision.
  const nd = digits.length;
  const dp = exponent + 1; // position of the decimal point relative to the digits
  let eprec = prec;
  if (eprec > nd && nd >= dp) eprec = nd;
  let text: string;
  if (exponent < -4 || exponent >= eprec) {
    const mantissa = nd > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expAbs = Math.abs(exponent);
    text = `${mantissa}e${exponent < 0 ? "-" : "+"}${expAbs < 10 ? "0" : ""}${expAbs}`;
  } else if (dp <= 0) {
    text = `0.${"0".repeat(-dp)}${digits}`;
  } else if (dp >= nd) {
    text = digits + "0".repeat(dp - nd);
  } else {
    text = `${digits.slice(0, dp)}.${digits.slice(dp)}`;
  }
  return negative ? `-${text}` : text;
}

function formatNonFinite(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  return value > 0 ? "+Inf" : "-Inf";
}

/** True when `magnitude` may lie exactly halfway between two `prec`-decimal results. */
function isPossibleTie(magnitude: number, prec: number): boolean {
  const doubled = magnitude * 2 * 10 ** prec;
  return Number.isInteger(doubled) && doubled % 2 === 1;
}

/** The exact decimal expansion of a finite non-negative double: value = int + frac (digits). */
function exactDecimal(magnitude: number): { intPart: bigint; fracDigits: string } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, magnitude);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biasedExponent = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let exponent: number;
  if (biasedExponent === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = biasedExponent - 1075;
  }
  if (exponent >= 0) return { intPart: mantissa << BigInt(exponent), fracDigits: "" };
  const shift = BigInt(-exponent);
  const intPart = mantissa >> shift;
  const fracBits = mantissa - (intPart << shift);
  // fracBits / 2^k = fracBits * 5^k / 10^k
  const k = -exponent;
  const scaled = fracBits * 5n ** BigInt(k);
  const fracDigits = scaled === 0n ? "" : scaled.toString().padStart(k, "0").replace(/0+$/, "");
  return { intPart, fracDigits };
}

/** `%.{prec}f` of a non-negative double from its exact value, rounding halves to even. */
function exactFixed(magnitude: number, prec: number): string {
  const { intPart, fracDigits } = exactDecimal(magnitude);
  const kept = fracDigits.slice(0, prec).padEnd(prec, "0");
  const rest = fracDigits.slice(prec);
  let units = BigInt(intPart.toString() + kept);
  if (rest.length > 0) {
    const first = rest.charCodeAt(0) - 48;
    const beyondHalf = rest.length > 1; // rest is trimmed of trailing zeros
    if (first > 5 || (first === 5 && beyondHalf) || (first === 5 && units % 2n === 1n)) units += 1n;
  }
  const text = units.toString().padStart(prec + 1, "0");
  if (prec === 0) return text;
  return `${text.slice(0, text.length - prec)}.${text.slice(text.length - prec)}`;
}

/** `prec` significant digits of a positive double, rounded half to even, with the decimal exponent. */
function significantDigits(magnitude: number, prec: number): { digits: string; exponent: number } {
  const approx = magnitude.toExponential(prec - 1);
  const ePos = approx.indexOf("e");
  let digits = approx.slice(0, ePos).replace(".", "");
  let exponent = Number(approx.slice(ePos + 1));
  // A tie is exactly representable as (n + 1/2) * 10^(exponent - prec + 1); check it exactly.
  const lastPlace = exponent - prec + 1;
  if (lastPlace < 0 && lastPlace > -300) {
    const doubled = magnitude * 2 * 10 ** -lastPlace;
    if (Number.isInteger(doubled) && doubled % 2 === 1 && Number.isSafeInteger(doubled)) {
      const exact = exactSignificant(magnitude, prec);
      digits = exact.digits;
      exponent = exact.exponent;
    }
  } else if (lastPlace >= 0) {
    const exact = exactSignificant(magnitude, prec);
    digits = exact.digits;
    exponent = exact.exponent;
  }
  return { digits, exponent };
}

function exactSignificant(magnitude: number, prec: number): { digits: string; exponent: number } {
  const { intPart, fracDigits } = exactDecimal(magnitude);
  let all: string;
  let pointPos: number; // digits before the decimal point in `all`
  if (intPart > 0n) {
    const intText = intPart.toString();
    all = intText + fracDigits;
    pointPos = intText.length;
  } else {
    const leadingZeros = fracDigits.length - fracDigits.replace(/^0+/, "").length;
    all = fracDigits.slice(leadingZeros);
    pointPos = -leadingZeros;
  }
  const kept = all.slice(0, prec).padEnd(prec, "0");
  const rest = all.slice(prec).replace(/0+$/, "");
  let n = BigInt(kept);
  if (rest.length > 0) {
    const first = rest.charCodeAt(0) - 48;
    if (first > 5 || (first === 5 && rest.length > 1) || (first === 5 && n % 2n === 1n)) n += 1n;
  }
  let digits = n.toString();
  let exponent = pointPos - 1;
  if (digits.length > prec) {
    digits = digits.slice(0, prec);
    exponent += 1;
  }
  return { digits, exponent };
}

/** Number of Unicode code points, which is what Go's fmt widths count. */
export function runeCount(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) count--;
  }
  return count;
}

/** Go's `%{width}s`: right-aligned, padded with spaces to `width` runes. */
export function padLeft(text: string, width: number): string {
  const missing = width - runeCount(text);
  return missing > 0 ? " ".repeat(missing) + text : text;
}

/** Go's `%-{width}s`. */
export function padRight(text: string, width: number): string {
  const missing = width - runeCount(text);
  return missing > 0 ? text + " ".repeat(missing) : text;
}

/**
 * Go's string ordering (bytewise over UTF-8, i.e. by code point). JavaScript's `<` compares UTF-16
 * code units, which differs only between surrogates and U+E000..U+FFFF.
 */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Go's `%#x` of an unsigned 64-bit value. */
export function hex0x(value: bigint): string {
  return `0x${BigInt.asUintN(64, value).toString(16)}`;
}

/** Go's `%016x`. */
export function hex016(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16).padStart(16, "0");
}

/** Go's time.Duration.String(). */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return "0s";
  const negative = nanos < 0n;
  let u = negative ? -nanos : nanos;
  let text: string;
  if (u < 1_000_000_000n) {
    let prec: number;
    let unit: string;
    if (u < 1000n) return `${negative ? "-" : ""}${u}ns`;
    if (u < 1_000_000n) {
      prec = 3;
      unit = "µs";
    } else {
      prec = 6;
      unit = "ms";
    }
    text = fractionText(u, prec) + unit;
  } else {
    text = `${fractionText(u % 60_000_000_000n, 9)}s`;
    u /= 60_000_000_000n;
    if (u > 0n) {
      text = `${u % 60n}m${text}`;
      u /= 60n;
      if (u > 0n) text = `${u}h${text}`;
    }
  }
  return (negative ? "-" : "") + text;
}

/** v / 10^prec with trailing zero fraction digits (and a bare ".") removed, as Go's fmtFrac+fmtInt. */
function fractionText(v: bigint, prec: number): string {
  const divisor = 10n ** BigInt(prec);
  const whole = v / divisor;
  let frac = (v % divisor).toString().padStart(prec, "0").replace(/0+$/, "");
  if (frac !== "") frac = `.${frac}`;
  return `${whole}${frac}`;
}

/** Go's `%.{n}v` on a string value: truncation to n runes. */
export function truncateRunes(text: string, n: number): string {
  const runes = Array.from(text);
  return runes.length > n ? runes.slice(0, n).join("") : text;
}

export interface GoTimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  offsetMinutes: number;
  zone: string;
}

/** The local-time fields Go's time package would show for unix nanoseconds. */
export function localTimeParts(unixNanos: bigint): GoTimeParts {
  const millis = Number(unixNanos / 1_000_000n);
  let nanos = Number(unixNanos % 1_000_000_000n);
  if (nanos < 0) nanos += 1_000_000_000;
  const date = new Date(millis - (millis % 1000 < 0 ? 1000 + (millis % 1000) : millis % 1000));
  const offsetMinutes = -date.getTimezoneOffset();
  return {
    year: date.getFullYear(),
    month: date.getMonth() + 1,
    day: date.getDate(),
    hour: date.getHours(),
    minute: date.getMinutes(),
    second: date.getSeconds(),
    nanos,
    offsetMinutes,
    zone: zoneAbbreviation(date, offsetMinutes),
  };
}

function zoneAbbreviation(date: Date, offsetMinutes: number): string {
  const tz = process.env.TZ;
  if ((tz === undefined || tz === "" || tz === "UTC" || tz === "Etc/UTC") && offsetMinutes === 0)
    return "UTC";
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
      .formatToParts(date)
      .find((p) => p.type === "timeZoneName");
    if (part && /^[A-Z]{2,5}$/.test(part.value)) return part.value;
  } catch {
    // fall through to the numeric form Go uses for zones without an abbreviation
  }
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hours = String(Math.floor(abs / 60)).padStart(2, "0");
  const minutes = abs % 60;
  return minutes === 0 ? `${sign}${hours}` : `${sign}${hours}${String(minutes).padStart(2, "0")}`;
}

const two = (n: number) => String(n).padStart(2, "0");

/** Go layout "2006-01-02 15:04:05 MST". */
export function formatReportTime(unixNanos: bigint): string {
  const t = localTimeParts(unixNanos);
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}:${two(t.second)} ${t.zone}`;
}

/** Go's time.Time.String() for a time without a monotonic reading. */
export function formatGoTimeString(unixNanos: bigint): string {
  const t = localTimeParts(unixNanos);
  let frac = "";
  if (t.nanos !== 0) frac = `.${String(t.nanos).padStart(9, "0").replace(/0+$/, "")}`;
  const sign = t.offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(t.offsetMinutes);
  const offset = `${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}:${two(t.second)}${frac} ${offset} ${t.zone}`;
}
