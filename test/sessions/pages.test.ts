/**
 * Page assembly: how many upstream calls a page costs and that nothing is lost when the appliance
 * caps Limit or when rows shift between calls. The fetcher is an in-memory list on purpose: this is
 * arithmetic over (offset, limit), and the e2e suite covers the same code over HTTP.
 */
import { assemblePage } from '../../src/sessions/pages';

const rows = Array.from({ length: 1234 }, (_, i) => ({ id: `r${i}` }));

function fetcher(maxLimit = Infinity) {
  const calls: Array<[number, number]> = [];
  const fetch = async (offset: number, limit: number) => {
    calls.push([offset, limit]);
    return { totalCount: rows.length, results: rows.slice(offset, offset + Math.min(limit, maxLimit)) };
  };
  return { calls, fetch };
}

describe('assemblePage', () => {
  it('uses one call for a page within the upstream page size', async () => {
    const { calls, fetch } = fetcher();
    const page = await assemblePage({ offset: 10, limit: 50 }, 200, fetch);
    expect(calls).toEqual([[10, 50]]);
    expect(page).toMatchObject({ totalCount: 1234, offset: 10, limit: 50, hasNextPage: true });
    expect(page.items.map((r) => r.id)).toEqual(rows.slice(10, 60).map((r) => r.id));
  });

  it('assembles a large page from the first call and parallel slices', async () => {
    const { calls, fetch } = fetcher();
    const page = await assemblePage({ offset: 100, limit: 500 }, 200, fetch);
    expect(calls).toEqual([
      [100, 200],
      [300, 200],
      [500, 100],
    ]);
    expect(page.items).toHaveLength(500);
    expect(page.items[499]?.id).toBe('r599');
  });

  it('makes no call past the end', async () => {
    const { calls, fetch } = fetcher();
    const page = await assemblePage({ offset: 1100, limit: 1000 }, 200, fetch);
    expect(calls).toEqual([[1100, 200]]);
    expect(page.items).toHaveLength(134);
    expect(page.hasNextPage).toBe(false);
  });

  it('follows an appliance that caps Limit below what was asked', async () => {
    const { calls, fetch } = fetcher(100);
    const page = await assemblePage({ offset: 0, limit: 350 }, 200, fetch);
    expect(calls).toEqual([
      [0, 200],
      [100, 100],
      [200, 100],
      [300, 50],
    ]);
    expect(page.items.map((r) => r.id)).toEqual(rows.slice(0, 350).map((r) => r.id));
  });

  it('limit 0 answers the count with one minimal call', async () => {
    const { calls, fetch } = fetcher();
    const page = await assemblePage({ offset: 0, limit: 0 }, 200, fetch);
    expect(calls).toEqual([[0, 1]]);
    expect(page).toMatchObject({ totalCount: 1234, items: [], hasNextPage: true });
  });

  it('drops rows repeated because the list shifted between calls', async () => {
    let shifted = false;
    const page = await assemblePage({ offset: 0, limit: 4 }, 2, async (offset, limit) => {
      // A new row arrives at the top after the first call: the second slice repeats r1.
      const list = shifted ? [{ id: 'new' }, ...rows] : rows;
      shifted = true;
      return { totalCount: list.length, results: list.slice(offset, offset + limit) };
    });
    expect(page.items.map((r) => r.id)).toEqual(['r0', 'r1', 'r2']);
  });
});
