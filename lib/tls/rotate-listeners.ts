/** The `onRotate` subscribers of a certificate provider. */
export class RotateListeners {
  private readonly listeners = new Set<() => void>();

  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Calls each listener; one that throws is logged and does not stop the others. */
  emit(log: (message: string) => void): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch (err) {
        log(`certificate rotation listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
