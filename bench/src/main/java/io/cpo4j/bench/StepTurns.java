package io.cpo4j.bench;

import io.cpo4j.model.train.Trainer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cpo4j training step and the steps of its torch peers, taken in turns: each call runs one step
 * of every side, starting from a different side each call, each after a pause
 * ({@link PeerProcess#settle}) that lets the last side's spinning BLAS threads go to sleep. Only
 * calls made while {@link #measuring} count; {@link #close} writes milliseconds per step to the
 * notes in call order (the report takes the ratio within each call).
 */
final class StepTurns {

    private final Trainer trainer;
    private final Map<String, PeerProcess> peers = new LinkedHashMap<>();
    private final Map<String, List<Double>> millis = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private boolean measuring;
    private int calls;

    StepTurns(Trainer trainer) {
        this.trainer = trainer;
        millis.put("cpo4j", new ArrayList<>());
    }

    /** Starts a peer server ({@link PeerProcess#startOnBestCore}); a peer that does not start leaves a note instead. */
    void startPeer(List<String> command, int threads) {
        var peer = PeerProcess.startOnBestCore(command, threads, notes);
        if (peer == null) return;
        peers.put(peer.getKey(), peer.getValue());
        millis.put(peer.getKey(), new ArrayList<>());
    }

    void measuring(boolean measuring) {
        this.measuring = measuring;
    }

    /** One step of every side. */
    void call() {
        List<String> who = new ArrayList<>(millis.keySet());
        int n = who.size(), first = calls++ % n;
        for (int i = 0; i < n; i++) {
            String w = who.get((first + i) % n);
            double ms;
            PeerProcess.settle();
            if (w.equals("cpo4j")) {
                long t0 = System.nanoTime();
                trainer.step();
                ms = (System.nanoTime() - t0) / 1e6;
            } else {
                ms = peers.get(w).ask("step 1");
            }
            if (measuring) millis.get(w).add(ms);
        }
    }

    /** Stops the peers and writes {@code <figures><who>=ms,ms,…} and {@code <problems><i>=text} to the notes. */
    void close(String figures, String problems) {
        for (PeerProcess p : peers.values()) p.close();
        Notes.writeTurns(figures, problems, "%.2f", millis, notes);
    }
}
