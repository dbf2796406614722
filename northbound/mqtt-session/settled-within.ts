/** Resolves true when `promise` settles in time, false otherwise; never rejects (a clean disconnect that may hang). */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true).catch(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
