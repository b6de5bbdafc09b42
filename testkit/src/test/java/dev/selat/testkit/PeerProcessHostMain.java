package dev.selat.testkit;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A JVM that starts one {@link PeerProcess} ({@code sleep 300}), prints the peer's pid and waits to be killed: what a
 * test JVM looks like to its peers when Surefire or a developer kill -9s it.
 */
public final class PeerProcessHostMain {
  private PeerProcessHostMain() {}

  public static void main(String[] args) throws InterruptedException {
    PeerProcess peer = PeerProcess.start("orphan-candidate", List.of("sleep", "300"));
    System.out.println(peer.pid());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
