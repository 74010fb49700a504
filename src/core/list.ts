/**
 * Shrinking an array in place without reallocating it. `splice` makes the array of removed items
 * and `length = 0` drops the backing store, so the next push allocates a new one: about 150–210
 * bytes each time (sampled), for lists that empty and refill all day (the simulator's active
 * books, a book's resting children and feed listeners). `pop` keeps the store.
 */

/** Removes list[index], keeping the order of the rest. */
export function removeAt<T>(list: T[], index: number): void {
  for (let k = index; k + 1 < list.length; k++) list[k] = list[k + 1];
  list.pop();
}

/** Cuts the list to its first `length` items. */
export function truncate<T>(list: T[], length: number): void {
  while (list.length > length) list.pop();
}
