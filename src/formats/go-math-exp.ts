/**
 * Go's math.Exp as the amd64 build of `go tool pprof` computes it, bit for bit.
 *
 * pprof unsamples legacy heap profiles with 1/(1 − exp(−avg/rate)) and truncates the scaled values,
 * so a last-bit difference in exp can change a sample value by one. V8's Math.exp (fdlibm) differs
 * from Go's amd64 assembly (a SLEEF-derived Taylor evaluation, `math/exp_amd64.s`) in the last bit
 * for about one input in eight. This replays that assembly step by step, including its fused
 * multiply-adds (used when the CPU has AVX+FMA, as x86-64 CPUs since 2013 do), which JavaScript
 * lacks and which are computed here exactly with bigints. Other architectures' pprof builds use
 * other algorithms; this matches the common one.
 */

// The assembly's constants, written as the shortest decimals of the same doubles.
const LOG2E = Math.LOG2E;
const LN2U = 0.693147180559663; // upper half of ln 2
const LN2L = 2.8235290563031577e-13; // lower half of ln 2
const OVERFLOW = 7.09782712893384e2;
/** 1/8!, 1/7!, …, 1/2!, 1/1!: Taylor coefficients, highest order first. */
const TAYLOR = [
  0.0000248015873015873, 0.0001984126984126984, 0.001388888888888889, 0.008333333333333333,
  0.041666666666666664, 0.16666666666666666, 0.5, 1.0,
];

const view = new DataView(new ArrayBuffer(8));

/** `x` as m·2^e with an integer m (exact). */
function decompose(x: number): [bigint, number] {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  let e: number;
  if (exponent === 0) {
    e = -1074;
  } else {
    mantissa |= 1n << 52n;
    e = exponent - 1075;
  }
  return [negative ? -mantissa : mantissa, e];
}

/** m·2^e rounded to the nearest double, ties to even. */
function roundToDouble(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const negative = m < 0n;
  let magnitude = negative ? -m : m;
  let shift = magnitude.toString(2).length - 53;
  if (e + shift < -1074) shift = -1074 - e;
  if (shift > 0) {
    const big = BigInt(shift);
    const remainder = magnitude & ((1n << big) - 1n);
    const half = 1n << (big - 1n);
    magnitude >>= big;
    if (remainder > half || (remainder === half && (magnitude & 1n) === 1n)) magnitude += 1n;
    e += shift;
  }
  // magnitude ≤ 2^53 and e ≥ -1074: the product is exact unless it overflows to Infinity.
  const value = e > 971 ? Number(magnitude) * 2 ** 971 * 2 ** (e - 971) : Number(magnitude) * 2 ** e;
  return negative ? -value : value;
}

/** a·b + c with a single rounding, like VFMADD. Finite inputs only. */
export function fusedMultiplyAdd(a: number, b: number, c: number): number {
  if (a === 0 || b === 0) return a * b + c;
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const product = ma * mb;
  const productExponent = ea + eb;
  if (c === 0) return roundToDouble(product, productExponent);
  const [mc, ec] = decompose(c);
  const e = Math.min(productExponent, ec);
  return roundToDouble((product << BigInt(productExponent - e)) + (mc << BigInt(ec - e)), e);
}

/** CVTSD2SL under the default rounding mode: nearest, ties to even; out of range gives INT32_MIN. */
function toInt32Nearest(x: number): number {
  if (!(x >= -2147483648.5 && x < 2147483647.5)) return -2147483648;
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** 2^n for a biased exponent field 1..2046, as the assembly builds it from bits. */
function powerOfTwoFromBiased(biased: number): number {
  view.setBigUint64(0, BigInt(biased) << 52n);
  return view.getFloat64(0);
}

/** Go's math.Exp on amd64 (`archExp`), with or without the FMA path. */
export function goExp(x: number, useFma = true): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x === Number.NEGATIVE_INFINITY) return 0;
  if (x > OVERFLOW) return Number.POSITIVE_INFINITY;
  let exponent = toInt32Nearest(LOG2E * x);
  const k = exponent;
  let r: number;
  let p: number;
  if (useFma) {
    r = fusedMultiplyAdd(-k, LN2U, x);
    r = fusedMultiplyAdd(-k, LN2L, r);
    r *= 0.0625;
    p = TAYLOR[0]!;
    for (let i = 1; i < TAYLOR.length; i++) p = fusedMultiplyAdd(p, r, TAYLOR[i]!);
  } else {
    r = x - LN2U * k;
    r -= LN2L * k;
    r *= 0.0625;
    p = TAYLOR[0]!;
    for (let i = 1; i < TAYLOR.length; i++) p = p * r + TAYLOR[i]!;
  }
  // (e^(r/16) − 1) squared up four times: y ← y·(y + 2).
  let y = r * p;
  for (let i = 0; i < 3; i++) y *= y + 2;
  y = useFma ? fusedMultiplyAdd(y, y + 2, 1) : y * (y + 2) + 1;
  exponent += 0x3ff;
  if (exponent <= 0) {
    if (exponent < -52) return 0;
    y *= powerOfTwoFromBiased(exponent + 0x3fe);
    return y * powerOfTwoFromBiased(1);
  }
  if (exponent >= 0x7ff) return Number.POSITIVE_INFINITY;
  return y * powerOfTwoFromBiased(exponent);
}
