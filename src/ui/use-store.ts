import { useSyncExternalStore } from 'react';
import type { Store, StoreSnapshot } from '../state/store.js';

/** The store's current snapshot; re-renders on every change. */
export function useStore(store: Store): StoreSnapshot {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
