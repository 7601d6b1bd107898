package dev.rolemesh.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * The server's slots: a request holds one from prompt processing to its last token. When all are busy, requests wait
 * in order ("deferred", as llama-server counts them) until one frees. Each slot keeps the prompt it last processed,
 * and a request reuses the prefix it shares with it ({@code cache_n}). Like llama-server, a request takes the free slot
 * whose cached prompt covers more than half of its own (its default {@code --slot-prompt-similarity 0.5}), the longest
 * such, else the least recently used free slot; a deferred request takes the slot that frees. Used on the event loop
 * only.
 */
final class SlotPool {

  /** One slot; {@code task} is the last task it ran (or runs), kept for /slots like llama-server does. */
  static final class Slot {
    final int id;
    boolean processing;
    SlotTask task;
    int decoded;
    private PromptTokens cached;
    private long lastUsed;

    private Slot(int id) {
      this.id = id;
    }
  }

  /**
   * What /slots shows of the task a slot runs.
   *
   * @param cachedTokens leading prompt tokens the slot already held, never the whole prompt: like llama-server, the
   *     last prompt token is always evaluated again
   */
  record SlotTask(int idTask, InferenceRequest request, int cachedTokens) {

    int processedTokens() {
      return request.promptTokens() - cachedTokens;
    }
  }

  private final List<Slot> slots = new ArrayList<>();
  private final Deque<Consumer<Slot>> deferred = new ArrayDeque<>();
  private int nextTaskId;
  private int busy;

  SlotPool(int count) {
    for (int i = 0; i < count; i++) {
      slots.add(new Slot(i));
    }
  }

  /**
   * Hands {@code onSlot} a slot, now if one is free, else when one frees. The returned action withdraws a request that
   * is still waiting; it does nothing once the slot was handed over.
   */
  Runnable acquire(PromptTokens prompt, Consumer<Slot> onSlot) {
    Slot chosen = null;
    int longest = 0;
    for (Slot slot : slots) {
      if (slot.processing) {
        continue;
      }
      int shared = prompt.sharedPrefix(slot.cached);
      if (shared * 2 > prompt.size() && shared > longest) {
        chosen = slot;
        longest = shared;
      } else if (longest == 0 && (chosen == null || slot.lastUsed < chosen.lastUsed)) {
        chosen = slot;
      }
    }
    if (chosen != null) {
      occupy(chosen, onSlot);
      return () -> {};
    }
    deferred.addLast(onSlot);
    return () -> deferred.remove(onSlot);
  }

  void release(Slot slot) {
    slot.processing = false;
    busy--;
    Consumer<Slot> next = deferred.pollFirst();
    if (next != null) {
      occupy(slot, next);
    }
  }

  /** Starts a task on a slot the caller holds; the slot's cache becomes the task's prompt. */
  SlotTask begin(Slot slot, InferenceRequest request) {
    int shared = request.prompt().sharedPrefix(slot.cached);
    slot.task = new SlotTask(nextTaskId++, request, Math.max(0, Math.min(shared, request.promptTokens() - 1)));
    slot.decoded = 0;
    slot.cached = request.prompt();
    slot.lastUsed = nextTaskId;
    return slot.task;
  }

  /** Slots in use; read for every generated token, hence kept rather than counted. */
  int busy() {
    return busy;
  }

  int deferred() {
    return deferred.size();
  }

  List<Slot> slots() {
    return slots;
  }

  private void occupy(Slot slot, Consumer<Slot> onSlot) {
    slot.processing = true;
    busy++;
    onSlot.accept(slot);
  }
}
