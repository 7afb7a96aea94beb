/**
 * A binary min-heap of events on typed arrays: (time, sequence) keys with an integer payload, no object per
 * event. Ties in time are broken by insertion sequence, so a run is deterministic. Grows by doubling.
 */
export class EventHeap {
  private time: Float64Array;
  private seq: Float64Array;
  private payload: Int32Array;
  private n = 0;
  private nextSeq = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.payload = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Time of the earliest event (undefined when empty). */
  peekTime(): number | undefined {
    return this.n > 0 ? this.time[0] : undefined;
  }

  push(t: number, value: number): void {
    if (this.n === this.time.length) this.grow();
    let i = this.n++;
    const s = this.nextSeq++;
    const time = this.time;
    const seq = this.seq;
    const payload = this.payload;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = time[parent]!;
      if (pt < t || (pt === t && seq[parent]! < s)) break;
      time[i] = pt;
      seq[i] = seq[parent]!;
      payload[i] = payload[parent]!;
      i = parent;
    }
    time[i] = t;
    seq[i] = s;
    payload[i] = value;
  }

  /** Removes the earliest event and returns its payload; its time is `lastTime` afterwards. */
  pop(): number {
    const time = this.time;
    const seq = this.seq;
    const payload = this.payload;
    const top = payload[0]!;
    this.lastTime = time[0]!;
    const n = --this.n;
    if (n > 0) {
      const t = time[n]!;
      const s = seq[n]!;
      const v = payload[n]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        const r = c + 1;
        if (r < n && (time[r]! < time[c]! || (time[r] === time[c] && seq[r]! < seq[c]!))) c = r;
        if (t < time[c]! || (t === time[c] && s < seq[c]!)) break;
        time[i] = time[c]!;
        seq[i] = seq[c]!;
        payload[i] = payload[c]!;
        i = c;
      }
      time[i] = t;
      seq[i] = s;
      payload[i] = v;
    }
    return top;
  }

  lastTime = 0;

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap);
    t.set(this.time);
    const s = new Float64Array(cap);
    s.set(this.seq);
    const p = new Int32Array(cap);
    p.set(this.payload);
    this.time = t;
    this.seq = s;
    this.payload = p;
  }
}
