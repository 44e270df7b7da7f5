package dev.dbagent.ops;

/** Receives the progress of long operations (one call per changeset). Runs on the operation's thread: be quick. */
@FunctionalInterface
public interface ProgressListener {
    /** @param progress where the operation is now */
    void onProgress(Progress progress);
}
