// A queue for asynchronous work: each piece starts once the one asked for before it has settled,
// whether that succeeded or failed.
export function serially(): <T>(work: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return (work) => {
    const turn = last.then(work);
    last = turn.catch(() => undefined);
    return turn;
  };
}
