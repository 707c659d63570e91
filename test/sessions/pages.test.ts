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

  describe('with the rows the page held last time (expectedRows)', () => {
    /** A fetcher whose answers wait until `release()`: which calls left before the first answer. */
    function heldFetcher(list: Array<{ id: string }>, maxLimit = Infinity, failAt?: number) {
      const calls: Array<[number, number]> = [];
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      const fetch = async (offset: number, limit: number) => {
        calls.push([offset, limit]);
        await released;
        if (offset === failAt) throw new Error(`slice ${offset} failed`);
        return { totalCount: list.length, results: list.slice(offset, offset + Math.min(limit, maxLimit)) };
      };
      return { calls, fetch, release };
    }

    it('starts the slices that held rows with the first call: one round trip, the same page', async () => {
      const { calls, fetch, release } = heldFetcher(rows);
      const assembled = assemblePage({ offset: 0, limit: 500 }, 200, fetch, { expected: { rows: 500, sliceSize: 200 } });
      await Promise.resolve();
      expect(calls).toEqual([
        [0, 200],
        [200, 200],
        [400, 100],
      ]);
      release();
      const page = await assembled;
      expect(calls).toHaveLength(3);
      expect(page.items.map((r) => r.id)).toEqual(rows.slice(0, 500).map((r) => r.id));
    });

    it('a list that shrank since: the early slices past its end are dropped, the last one cut to what exists', async () => {
      const shrunk = rows.slice(0, 250);
      const { calls, fetch, release } = heldFetcher(shrunk);
      const assembled = assemblePage({ offset: 0, limit: 500 }, 200, fetch, { expected: { rows: 500, sliceSize: 200 } });
      release();
      const page = await assembled;
      expect(calls).toHaveLength(3);
      expect(page).toMatchObject({ totalCount: 250, hasNextPage: false });
      expect(page.items.map((r) => r.id)).toEqual(shrunk.map((r) => r.id));
    });

    it('a list that grew since: the slices it did not expect are asked once the first call tells', async () => {
      const { calls, fetch, release } = heldFetcher(rows);
      const assembled = assemblePage({ offset: 0, limit: 500 }, 200, fetch, { expected: { rows: 300, sliceSize: 200 } });
      await Promise.resolve();
      expect(calls).toEqual([
        [0, 200],
        [200, 200],
      ]);
      release();
      const page = await assembled;
      expect(calls).toEqual([
        [0, 200],
        [200, 200],
        [400, 100],
      ]);
      expect(page.items.map((r) => r.id)).toEqual(rows.slice(0, 500).map((r) => r.id));
    });

    it('an appliance capping Limit below what was asked: nothing lost, nothing repeated', async () => {
      const { fetch, release } = heldFetcher(rows, 100);
      // Remembered from before the cap: the early slices are the wrong ones, the page is still right.
      const assembled = assemblePage({ offset: 0, limit: 500 }, 200, fetch, { expected: { rows: 500, sliceSize: 200 } });
      release();
      const page = await assembled;
      expect(page.items.map((r) => r.id)).toEqual(rows.slice(0, 500).map((r) => r.id));
      expect(page.sliceSize).toBe(100);
    });

    it.each([150, 120, 199])(
      'an appliance capping Limit at %i: the early slices are the ones the first answer calls for, no call more',
      async (cap) => {
        const without = heldFetcher(rows, cap);
        const plain = assemblePage({ offset: 0, limit: 1000 }, 200, without.fetch);
        without.release();
        const { sliceSize } = await plain;
        expect(sliceSize).toBe(cap);
        const remembered = heldFetcher(rows, cap);
        const assembled = assemblePage({ offset: 0, limit: 1000 }, 200, remembered.fetch, { expected: { rows: 1000, sliceSize } });
        await Promise.resolve();
        const early = remembered.calls.length;
        remembered.release();
        const page = await assembled;
        expect(remembered.calls).toHaveLength(without.calls.length);
        expect(early).toBe(without.calls.length);
        expect(page.items.map((r) => r.id)).toEqual(rows.slice(0, 1000).map((r) => r.id));
      },
    );

    it('an early slice that turns out not to be needed may fail; a needed one fails the page', async () => {
      const unneeded = heldFetcher(rows.slice(0, 150), Infinity, 400);
      const assembled = assemblePage({ offset: 0, limit: 500 }, 200, unneeded.fetch, { expected: { rows: 500, sliceSize: 200 } });
      unneeded.release();
      expect((await assembled).items).toHaveLength(150);
      const needed = heldFetcher(rows, Infinity, 400);
      const failing = assemblePage({ offset: 0, limit: 500 }, 200, needed.fetch, { expected: { rows: 500, sliceSize: 200 } });
      needed.release();
      await expect(failing).rejects.toThrow('slice 400 failed');
    });

    it('starts nothing early when the client order is not total (the slices depend on the first answer)', async () => {
      const { calls, fetch, release } = heldFetcher(rows);
      const assembled = assemblePage({ offset: 0, limit: 500 }, 200, fetch, {
        expected: { rows: 500, sliceSize: 200 },
        clientOrderNotTotal: true,
      });
      await Promise.resolve();
      expect(calls).toEqual([[0, 200]]);
      release();
      await assembled;
    });
  });

  describe('when the client order is not total (protected items)', () => {
    function ordered(maxLimit = Infinity) {
      const calls: Array<[number, number, boolean]> = [];
      const fetch = async (offset: number, limit: number, total: boolean) => {
        calls.push([offset, limit, total]);
        return { totalCount: rows.length, results: rows.slice(offset, offset + Math.min(limit, maxLimit)) };
      };
      return { calls, fetch };
    }

    it('a page that fits one slice is one call as the client asked', async () => {
      const { calls, fetch } = ordered();
      const page = await assemblePage({ offset: 1200, limit: 500 }, 200, fetch, { clientOrderNotTotal: true });
      expect(calls).toEqual([[1200, 200, false]]);
      expect(page.items).toHaveLength(34);
    });

    it('a page of several slices is read again, every slice in the total order', async () => {
      const { calls, fetch } = ordered();
      const page = await assemblePage({ offset: 0, limit: 450 }, 200, fetch, { clientOrderNotTotal: true });
      expect(calls).toEqual([
        [0, 200, false],
        [0, 200, true],
        [200, 200, true],
        [400, 50, true],
      ]);
      expect(page.items.map((r) => r.id)).toEqual(rows.slice(0, 450).map((r) => r.id));
    });

    it('only the total-order slices make the page', async () => {
      const page = await assemblePage(
        { offset: 0, limit: 4 },
        2,
        async (offset, limit, total) => {
          const list = total ? [...rows].reverse() : rows;
          return { totalCount: list.length, results: list.slice(offset, offset + limit) };
        },
        { clientOrderNotTotal: true },
      );
      expect(page.items.map((r) => r.id)).toEqual(['r1233', 'r1232', 'r1231', 'r1230']);
    });

    it('an appliance capping Limit below a one-slice page still gets every slice in the total order', async () => {
      const { calls, fetch } = ordered(100);
      const page = await assemblePage({ offset: 0, limit: 150 }, 200, fetch, { clientOrderNotTotal: true });
      expect(calls).toEqual([
        [0, 150, false],
        [0, 100, true],
        [100, 50, true],
      ]);
      expect(page.items.map((r) => r.id)).toEqual(rows.slice(0, 150).map((r) => r.id));
    });
  });
});
