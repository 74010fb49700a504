/**
 * Pareto front of (median time to fill, mean shortfall): a cell is on the front when no other
 * cell is at least as good on both and strictly better on one (lower is better on both axes).
 */
export function paretoFront(points: readonly { x: number; y: number }[]): boolean[] {
  return points.map((p, i) => {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return false;
    return !points.some((q, j) => j !== i && Number.isFinite(q.x) && Number.isFinite(q.y) && q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y));
  });
}
