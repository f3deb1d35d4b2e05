/**
 * The demo's only source of randomness: a small seeded generator (sfc32, seeded through
 * splitmix32), so the same seed gives the same exports byte for byte on every machine. Each part of
 * the simulation forks its own stream by name, so adding draws to one format never shifts another.
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Four hex digits by 16-bit value, made on first use (at most 64 Ki short strings): ids are drawn
 * four digits at a time, millions of them at scale 10.
 */
const HEX4: (string | undefined)[] = new Array(0x10000);

export class Random {
  /**
   * The generator's four words a, b, c, d. In object fields, words of 2^31 and above were numbers
   * on the heap, a new one at nearly every draw (60 MB of them in a scale-3 generation); a typed
   * array holds them unboxed.
   */
  private readonly state = new Uint32Array(4);

  constructor(readonly seed: number) {
    const next = splitmix32(seed);
    for (let i = 0; i < 4; i++) this.state[i] = next();
  }

  /** An independent stream for one part of the simulation. */
  fork(label: string): Random {
    return new Random((Math.imul(this.seed ^ 0x5bd1e995, 0x27d4eb2d) ^ hashLabel(label)) >>> 0);
  }

  /** Uniform in [0, 1). The array's stores wrap modulo 2^32, as `>>> 0` did. */
  next(): number {
    const s = this.state;
    const a = s[0] as number;
    const b = s[1] as number;
    const c = s[2] as number;
    const d = s[3] as number;
    const t = (((a + b) >>> 0) + d) >>> 0;
    s[3] = d + 1;
    s[0] = b ^ (b >>> 9);
    s[1] = c + (c << 3);
    s[2] = (((c << 21) | (c >>> 11)) >>> 0) + t;
    return t / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /**
   * Picks by relative weight. Indexed loops, not destructuring: destructuring a pair steps an array
   * iterator, and this runs for every contact and ticket (600 MB of iterator results at scale 10).
   */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (let i = 0; i < items.length; i++) total += (items[i] as readonly [T, number])[1];
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as readonly [T, number];
      r -= item[1];
      if (r < 0) return item[0];
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Right-skewed durations: median `median`, spread `sigma` on the log scale. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(this.normal(0, sigma));
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 50) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.hex4();
    return out.slice(0, length);
  }

  /** Four hex digits from one draw. */
  private hex4(): string {
    const n = Math.floor(this.next() * 0x10000);
    let text = HEX4[n];
    if (text === undefined) {
      text = n.toString(16).padStart(4, '0');
      HEX4[n] = text;
    }
    return text;
  }

  /** An RFC 4122 version-4 shaped id. */
  uuid(): string {
    // The 32 digits of hex(32), four at a time: the same draws without building and slicing them.
    const a = this.hex4();
    const b = this.hex4();
    const c = this.hex4();
    const d = this.hex4();
    const e = this.hex4();
    const f = this.hex4();
    const g = this.hex4();
    const h = this.hex4();
    return `${a}${b}-${c}-4${d.slice(1)}-${'89ab'[this.int(0, 3)]}${e.slice(1)}-${f}${g}${h}`;
  }
}
