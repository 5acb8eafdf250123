/**
 * Layout checks for end-to-end tests: does anything under a root stick out of the box that
 * clips it (an ancestor with overflow hidden or clip, or the window), so that part of it cannot
 * be seen or reached? Scrolling containers are fine up and down (their content scrolls into
 * view), not sideways (nothing in this app is meant to scroll sideways); text shortened on
 * purpose with an ellipsis is fine too.
 */
import type { Page } from 'playwright-core';

export interface Clipped {
  /** A short description of the clipped element: tag, test id or class, and text. */
  element: string;
  /** The clipping box: an ancestor's description or "window". */
  by: string;
  /** How far it sticks out (px) on each side that does. */
  out: string;
}

export async function clippedElements(page: Page, rootSelector: string): Promise<Clipped[]> {
  return page.evaluate((sel) => {
    const found: Array<{ element: string; by: string; out: string }> = [];
    const describe = (el: Element): string => {
      const id = el.getAttribute('data-testid');
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/)[0]}` : '';
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 30);
      return `${el.tagName.toLowerCase()}${id ? `[${id}]` : cls}${text ? ` "${text}"` : ''}`;
    };
    const visible = (el: Element): boolean => {
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0;
    };
    const clips = (el: Element): 'clip' | 'scroll' | null => {
      const s = getComputedStyle(el);
      const o = `${s.overflowX} ${s.overflowY}`;
      if (/auto|scroll/.test(o)) return 'scroll';
      if (/hidden|clip/.test(o)) return 'clip';
      return null;
    };
    const W = document.documentElement.clientWidth;
    const H = document.documentElement.clientHeight;
    for (const root of document.querySelectorAll(sel)) {
      for (const el of [root, ...root.querySelectorAll('*')]) {
        // Hidden on purpose: for screen readers only, or the skip link until it has focus.
        if (el.closest('.visually-hidden, .skip-link')) continue;
        if (!visible(el) || (el.closest('svg') && el.tagName !== 'svg') || el.closest('[aria-hidden="true"]')) continue;
        const s = getComputedStyle(el);
        if (s.position === 'fixed') continue;
        const r = el.getBoundingClientRect();
        // Text cut short on purpose: an ellipsis on an element that clips its own overflow.
        if (s.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth) continue;
        let box: DOMRect | { left: number; top: number; right: number; bottom: number } = { left: 0, top: 0, right: W, bottom: H };
        let by = 'window';
        for (let a = el.parentElement; a; a = a.parentElement) {
          const c = clips(a);
          if (c === 'scroll') {
            const b = a.getBoundingClientRect();
            box = { left: b.left, right: b.left + a.clientWidth, top: -Infinity, bottom: Infinity };
            by = describe(a);
            break;
          }
          if (c === 'clip') {
            box = a.getBoundingClientRect();
            by = describe(a);
            break;
          }
        }
        const out: string[] = [];
        if (r.left < box.left - 1) out.push(`left ${Math.round(box.left - r.left)}`);
        if (r.right > box.right + 1) out.push(`right ${Math.round(r.right - box.right)}`);
        if (r.top < box.top - 1) out.push(`top ${Math.round(box.top - r.top)}`);
        if (r.bottom > box.bottom + 1) out.push(`bottom ${Math.round(r.bottom - box.bottom)}`);
        // Its own content cut without an ellipsis (text or children wider than it, overflow hidden).
        if (clips(el) === 'clip' && el.scrollWidth > el.clientWidth + 1 && el.children.length + (el.textContent?.trim() ? 1 : 0) > 0 && el.tagName !== 'CANVAS')
          out.push(`content ${el.scrollWidth - el.clientWidth} wider`);
        if (out.length) found.push({ element: describe(el), by, out: out.join(', ') });
      }
    }
    return found;
  }, rootSelector);
}
