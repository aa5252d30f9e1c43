package io.capnet.netlayer;

/**
 * Who is at the other end of a local socket, as the kernel vouches for it ({@code SO_PEERCRED}):
 * the process id and the user and group ids it had when it connected.
 */
public record PeerCredentials(long pid, long uid, long gid) {}
