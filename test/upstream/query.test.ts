import { protectedItemsQuery, sessionsQuery } from '../../src/upstream/query';

describe('sessionsQuery', () => {
  it('writes every parameter in PascalCase, arrays as repeated keys, in a fixed order', () => {
    expect(
      sessionsQuery({
        offset: 20,
        limit: 10,
        sort: ['startTimeDesc', 'usnAsc'],
        status: ['Failed', 'Warning'],
        types: ['Policy', 'Job'],
        usn: '9007199254740993',
        policyId: '0b5b1c39-2c2e-4e57-9a5d-6a8a1f0c2d11',
        parentSessionId: '1c6c2d4a-3d3f-4f68-8b6e-7b9b2a1d3e22',
        vmId: 'a2d6e1f0-1111-4222-8333-944455556666',
        fromUtc: '2026-01-01T00:00:00+02:00',
        toUtc: '2026-01-31',
      }),
    ).toBe(
      'Offset=20&Limit=10&Sort=startTimeDesc&Sort=usnAsc&Status=Failed&Status=Warning&Types=Policy&Types=Job' +
        '&Usn=9007199254740993&PolicyId=0b5b1c39-2c2e-4e57-9a5d-6a8a1f0c2d11' +
        '&ParentSessionId=1c6c2d4a-3d3f-4f68-8b6e-7b9b2a1d3e22&VmId=a2d6e1f0-1111-4222-8333-944455556666' +
        '&FromUtc=2025-12-31T22%3A00%3A00.000Z&ToUtc=2026-01-31T00%3A00%3A00Z',
    );
  });

  it('omits what is not given and keeps -1 (no limit)', () => {
    expect(sessionsQuery({})).toBe('');
    expect(sessionsQuery({ offset: 0, limit: -1 })).toBe('Offset=0&Limit=-1');
  });

  it('rejects an invalid date-time instead of sending it', () => {
    expect(() => sessionsQuery({ fromUtc: 'yesterday' })).toThrow(/ISO-8601/);
  });
});

describe('protectedItemsQuery', () => {
  it('encodes the search pattern and repeats Sort', () => {
    expect(
      protectedItemsQuery({ offset: 0, limit: 50, searchPattern: 'web prod&x=1', sort: ['regionAsc', 'virtualMachineNameDesc'] }),
    ).toBe('Offset=0&Limit=50&SearchPattern=web%20prod%26x%3D1&Sort=regionAsc&Sort=virtualMachineNameDesc');
  });
});
