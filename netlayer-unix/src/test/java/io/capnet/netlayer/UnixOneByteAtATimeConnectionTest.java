package io.capnet.netlayer;

/**
 * The contract over a real socket pair whose connections write one byte per sendmsg and read
 * one byte per recvmsg, so every partial-header and partial-body path runs against the kernel.
 */
class UnixOneByteAtATimeConnectionTest extends UnixConnectionContractTest {
  @Override
  protected int chunk() {
    return 1;
  }
}
