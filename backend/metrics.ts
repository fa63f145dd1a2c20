/** Prometheus text for `/metrics`: requests by route and status, and a latency histogram. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, { buckets: number[]; sum: number; count: number }>();
  private readonly faults = new Map<string, number>();
  private readonly started = Date.now();

  observe(method: string, route: string, status: number | string, seconds: number): void {
    const k = `method="${esc(method)}",route="${esc(route)}",status="${status}"`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
    const lk = `method="${esc(method)}",route="${esc(route)}"`;
    let h = this.latency.get(lk);
    if (!h) this.latency.set(lk, (h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.buckets[i]! += 1;
    h.sum += seconds;
    h.count += 1;
  }

  fault(kind: string): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
  }

  render(): string {
    const out: string[] = [];
    out.push("# HELP http_requests_total HTTP requests by method, route and status.", "# TYPE http_requests_total counter");
    for (const [k, v] of this.requests) out.push(`http_requests_total{${k}} ${v}`);
    out.push("# HELP http_request_duration_seconds Time from request to response.", "# TYPE http_request_duration_seconds histogram");
    for (const [k, h] of this.latency) {
      BUCKETS.forEach((b, i) => out.push(`http_request_duration_seconds_bucket{${k},le="${b}"} ${h.buckets[i]}`));
      out.push(`http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      out.push(`http_request_duration_seconds_sum{${k}} ${h.sum}`);
      out.push(`http_request_duration_seconds_count{${k}} ${h.count}`);
    }
    out.push("# HELP injected_faults_total Failures injected by --faults, by kind.", "# TYPE injected_faults_total counter");
    for (const [k, v] of this.faults) out.push(`injected_faults_total{kind="${esc(k)}"} ${v}`);
    out.push("# HELP process_uptime_seconds Seconds since the backend started.", "# TYPE process_uptime_seconds gauge");
    out.push(`process_uptime_seconds ${(Date.now() - this.started) / 1000}`);
    return out.join("\n") + "\n";
  }
}
