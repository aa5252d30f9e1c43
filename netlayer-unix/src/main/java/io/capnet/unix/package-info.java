/**
 * The unix netlayer's transport: AF_UNIX stream sockets (through junixsocket) whose frames carry
 * open file descriptors, socket pairs for introductions, and the limits that bound them.
 * See {@code spec/unix.md}.
 */
package io.capnet.unix;
