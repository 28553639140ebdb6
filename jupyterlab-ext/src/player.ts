/**
 * Frame stepping and playback of a time series (the viewer's fourth slider). Pure: the widget
 * calls tick() from a timer with the clock, so the logic is unit-tested without a browser.
 */

/** Playback rates offered by the viewer (frames per second). */
export const FPS_CHOICES: readonly number[] = [0.5, 1, 2, 4, 8, 15, 30];

/** Where playback stands. `shownAt` is the clock time (ms) the current frame was first shown. */
export interface PlayerState {
  frame: number;
  count: number;
  playing: boolean;
  fps: number;
  shownAt: number;
}

/**
 * Frame `frame + delta`, wrapping around the ends (a series loops when played or stepped past its end).
 * @example stepFrame(0, 5, -1) // 4
 */
export function stepFrame(frame: number, count: number, delta: number): number {
  if (count <= 0) return 0;
  const f = Math.round(frame + delta) % count;
  return f < 0 ? f + count : f;
}

/**
 * Advances a playing series by the frames due at time `now` (ms): one frame per 1000/fps ms.
 * When the timer fell behind by more than one period (a busy page), it shows the next frame
 * and restarts the clock instead of skipping frames, so every frame is seen.
 * @example tick({ frame: 0, count: 3, playing: true, fps: 2, shownAt: 0 }, 500).frame // 1
 */
export function tick(s: PlayerState, now: number): PlayerState {
  if (!s.playing || s.count < 2) return s;
  const period = 1000 / s.fps;
  if (now - s.shownAt < period) return s;
  const late = now - s.shownAt >= 2 * period;
  return { ...s, frame: stepFrame(s.frame, s.count, 1), shownAt: late ? now : s.shownAt + period };
}

/**
 * Milliseconds from `now` until the next frame is due (0 when due).
 * @example msUntilNext({ frame: 0, count: 3, playing: true, fps: 4, shownAt: 0 }, 100) // 150
 */
export function msUntilNext(s: PlayerState, now: number): number {
  return Math.max(0, s.shownAt + 1000 / s.fps - now);
}

/**
 * A time in seconds for the frame label: "45 s", "12 min 5 s", "2 h 3 min".
 * @example formatTime(725) // "12 min 5 s"
 */
export function formatTime(t: number): string {
  if (!Number.isFinite(t)) return "";
  const sign = t < 0 ? "−" : "";
  const a = Math.abs(t);
  if (a < 60) return `${sign}${+a.toPrecision(4)} s`;
  if (a < 3600) {
    const m = Math.floor(a / 60);
    const s = Math.round(a - m * 60);
    return s === 60 ? `${sign}${m + 1} min` : `${sign}${m} min${s ? ` ${s} s` : ""}`;
  }
  const h = Math.floor(a / 3600);
  const m = Math.round((a - h * 3600) / 60);
  return m === 60 ? `${sign}${h + 1} h` : `${sign}${h} h${m ? ` ${m} min` : ""}`;
}
