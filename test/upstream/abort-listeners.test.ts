/**
 * The per-signal listener set behind one `abort` listener: each listener runs once, removal works,
 * and however many calls listen, the signal itself carries one EventTarget listener.
 */
import { getEventListeners } from 'node:events';
import { onAbort } from '../../src/upstream/abort-listeners';

describe('onAbort', () => {
  it('runs each listener once, in the order added, and never one that was removed', () => {
    const controller = new AbortController();
    const ran: string[] = [];
    onAbort(controller.signal, () => ran.push('a'));
    const removeB = onAbort(controller.signal, () => ran.push('b'));
    onAbort(controller.signal, () => ran.push('c'));
    removeB();
    controller.abort();
    controller.abort();
    expect(ran).toEqual(['a', 'c']);
  });

  it('puts one abort listener on the signal however many calls listen', () => {
    const controller = new AbortController();
    const removers = Array.from({ length: 100 }, () => onAbort(controller.signal, () => undefined));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for (const remove of removers) remove();
    let ran = 0;
    onAbort(controller.signal, () => (ran += 1));
    controller.abort();
    expect(ran).toBe(1);
  });

  it('a listener that removes another during the abort does not stop it from running (all were due)', () => {
    const controller = new AbortController();
    const ran: string[] = [];
    let removeSecond: () => void = () => undefined;
    onAbort(controller.signal, () => {
      ran.push('first');
      removeSecond();
    });
    removeSecond = onAbort(controller.signal, () => ran.push('second'));
    controller.abort();
    expect(ran).toEqual(['first', 'second']);
  });
});
