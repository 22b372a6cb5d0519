const WIDTH = 96;
const HEIGHT = 24;
const PADDING = 2;

/**
 * Draws a series as a small line without axes, scaled to its own minimum and maximum. Points
 * marked in `highlighted` (for example dropped epochs) get a dot. The values are in the title.
 */
export function Sparkline({ values, highlighted, label, testId }: {
  values: number[];
  highlighted?: boolean[];
  label: string;
  testId?: string;
}) {
  if (values.length === 0) return <span className="muted">–</span>;

  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const step = values.length > 1 ? (WIDTH - 2 * PADDING) / (values.length - 1) : 0;
  const points = values.map((value, index) => ({
    x: PADDING + index * step,
    y: HEIGHT - PADDING - ((value - min) / span) * (HEIGHT - 2 * PADDING),
  }));
  const title = `${label} by epoch: ${values.map((value) => Number(value.toPrecision(3))).join(", ")}`;

  return (
    <svg className="sparkline" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} data-testid={testId}>
      <title>{title}</title>
      <polyline points={points.map((point) => `${point.x},${point.y}`).join(" ")} fill="none" stroke="currentColor" strokeWidth={1.5} />
      {points.map((point, index) =>
        highlighted?.[index] ? <circle key={index} cx={point.x} cy={point.y} r={2} className="sparkline-mark" /> : null,
      )}
    </svg>
  );
}
