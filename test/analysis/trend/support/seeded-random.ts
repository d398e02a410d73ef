/**
 * The trend engine's simulations draw from one seeded generator (xorshift32), so every run of a
 * test sees the same series: uniform in [0, 1), standard normal (Box–Muller), unit-variance Laplace.
 */
export interface SeededRandom {
  uniform: () => number;
  normal: () => number;
  laplace: () => number;
}

export function rng(seed: number): SeededRandom {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
  // Unit variance: scale 1/√2.
  const laplace = () => {
    const u = uniform() - 0.5;
    return (-Math.sign(u) * Math.log(1 - 2 * Math.abs(u) || 1e-12)) / Math.SQRT2;
  };
  return { uniform, normal, laplace };
}
