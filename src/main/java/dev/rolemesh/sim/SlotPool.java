package dev.rolemesh.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * The server's slots: a request holds one from prompt processing to its last token. When all are busy, requests wait
 * in order ("deferred", as llama-server counts them) until one frees. Used on the event loop only.
 */
final class SlotPool {

  /** One slot; {@code task} is the last task it ran (or runs), kept for /slots like llama-server does. */
  static final class Slot {
    final int id;
    boolean processing;
    SlotTask task;
    int decoded;

    private Slot(int id) {
      this.id = id;
    }
  }

  /** What /slots shows of the task a slot runs. */
  record SlotTask(int idTask, InferenceRequest request) {}

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
  Runnable acquire(Consumer<Slot> onSlot) {
    for (Slot slot : slots) {
      if (!slot.processing) {
        occupy(slot, onSlot);
        return () -> {};
      }
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

  /** Starts a task on a slot the caller holds. */
  void begin(Slot slot, InferenceRequest request) {
    slot.task = new SlotTask(nextTaskId++, request);
    slot.decoded = 0;
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
