/**
 * What the shared-memory code of the IPC primitives ({@code dev.forkwise.ipc}) and of the worker
 * channel ({@code dev.forkwise.process}) shares: how a thread waits for another process ({@link
 * dev.forkwise.shm.IdleStrategy}). It depends on nothing else of forkwise. Internal: not exported.
 */
package dev.forkwise.shm;
