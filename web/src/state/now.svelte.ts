/** A ticking clock for countdowns; call during component setup so the timer stops with the component. */
export function useNow(intervalMs = 1000): { readonly value: number } {
  let now = $state(Date.now());
  $effect(() => {
    const timer = setInterval(() => (now = Date.now()), intervalMs);
    return () => clearInterval(timer);
  });
  return {
    get value() {
      return now;
    },
  };
}
