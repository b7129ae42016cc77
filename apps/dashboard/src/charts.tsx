/**
 * A small bar chart in plain SVG. The SVG is decorative for assistive technology; a visually hidden
 * table beside it carries the same numbers (and lets tests read them).
 */
import { useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatCount } from "./format.js";
import type { Bucket } from "./stats.js";

export interface ChartBar extends Bucket {
  tone: "ok" | "warn" | "bad" | "muted";
}

const WIDTH = 600;
const HEIGHT = 210;
const TOP = 22;
const BOTTOM = 28;
/** Room at both ends so the first and last labels are not cut off. */
const SIDE = 16;

export function BarChart({
  title,
  description,
  bars,
  testId,
}: {
  title: string;
  description: string;
  bars: ChartBar[];
  testId: string;
}) {
  const id = useId();
  const max = Math.max(1, ...bars.map((b) => b.count));
  const slot = (WIDTH - 2 * SIDE) / bars.length;
  const barWidth = Math.min(48, slot * 0.7);
  const plot = HEIGHT - TOP - BOTTOM;
  // On a narrow screen the chart keeps readable labels and scrolls sideways: then its box takes the
  // focus, so the arrow keys scroll it too.
  const box = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useLayoutEffect(() => {
    const el = box.current!;
    const check = () => setScrolls(el.scrollWidth > el.clientWidth + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return (
    <figure class="chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`}>
        <strong>{title}</strong>
        <span class="muted"> {description}</span>
      </figcaption>
      <div
        class="chart-scroll"
        ref={box}
        {...(scrolls && {
          tabIndex: 0,
          role: "group",
          "aria-label": `${title} chart, scrolls sideways`,
        })}
      >
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true" focusable="false" class="chart-svg">
          <line x1={0} x2={WIDTH} y1={HEIGHT - BOTTOM + 0.5} y2={HEIGHT - BOTTOM + 0.5} class="axis" />
          {bars.map((bar, i) => {
            const h = bar.count === 0 ? 0 : Math.max(2, (bar.count / max) * plot);
            const x = SIDE + i * slot + (slot - barWidth) / 2;
            const y = HEIGHT - BOTTOM - h;
            return (
              <g key={bar.label}>
                <title>{`${formatCount(bar.count)} ${bar.title}`}</title>
                <rect x={x} y={y} width={barWidth} height={h} rx={3} class={`bar bar-${bar.tone}`} />
                <text x={x + barWidth / 2} y={y - 6} class="bar-value" text-anchor="middle">
                  {formatCount(bar.count)}
                </text>
                <text x={SIDE + i * slot + slot / 2} y={HEIGHT - 9} class="bar-label" text-anchor="middle">
                  {bar.label}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      {scrolls ? (
        <p class="scroll-hint" aria-hidden="true">
          Scroll sideways (or focus it and use the arrow keys) for the whole chart →
        </p>
      ) : null}
      {/* In a box of its own: a table is never narrower than its content, so .sr-only on the table
          itself left it 330 px wide, and the page scrolled sideways at 320 px (1280 px at 400% zoom). */}
      <div class="sr-only">
        <table data-testid={testId}>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Range</th>
              <th scope="col">Tokens</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((bar) => (
              <tr key={bar.label} data-bucket={bar.label}>
                <th scope="row">{bar.title}</th>
                <td>{bar.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
