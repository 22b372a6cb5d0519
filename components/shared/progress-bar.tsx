/** A horizontal bar for a fraction from 0 to 1, with the percentage beside it. */
export function ProgressBar({ fraction, label }: { fraction: number; label: string }) {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <span>
      <span className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div style={{ width: `${percent}%` }} />
      </span>
      <span className="progress-label">{percent}%</span>
    </span>
  );
}
