/**
 * The backend-independent pool engine: lifecycle, map/imap scheduling, chunking and failure
 * reporting, over a {@link dev.forkwise.engine.Backend} that only runs tasks. Internal: not exported.
 */
package dev.forkwise.engine;
