/** The {@code forkwise} command line: its commands and their output. */
package dev.forkwise.cli;
