package io.capnet.cli;

import io.capnet.tcptls.TlsIdentity;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code capnet identity new|show FILE}: Ed25519 peer identities (tcp-tls and unix) in key files. */
@Command(
    name = "identity",
    mixinStandardHelpOptions = true,
    description = "Make or read a peer identity: an Ed25519 key file whose public key is the peer's designator,"
        + " on tcp-tls and on unix (--identity FILE of serve-greeter and call).",
    subcommands = {IdentityCommand.New.class, IdentityCommand.Show.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success (see `identity new --help` and `identity show --help`)", "2:usage error, e.g. no subcommand"})
final class IdentityCommand {
  @Command(
      name = "new",
      mixinStandardHelpOptions = true,
      description = "Write a fresh Ed25519 private key to FILE as PKCS#8 PEM, mode 0600 (as `openssl pkey` reads),"
          + " and print its designator. Never overwrites a file.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:written", "1:not written (the message says why)", "2:usage error"})
  static final class New implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the key file to create")
    Path file;

    @Override
    public Integer call() {
      TlsIdentity id = TlsIdentity.generate();
      try {
        id.save(file);
      } catch (FileAlreadyExistsException e) {
        spec.commandLine().getErr().println("capnet identity new: " + file + " already exists; not overwriting it");
        return Capnet.REFUSED;
      } catch (IOException e) {
        spec.commandLine().getErr().println("capnet identity new: cannot write " + file + ": " + e);
        return Capnet.REFUSED;
      }
      spec.commandLine().getOut().println(id.designator());
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print the designator (lowercase base32 of the Ed25519 public key) of the key in FILE.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:printed", "1:FILE is not an Ed25519 key file (the message says why)", "2:usage error"})
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "a PKCS#8 PEM Ed25519 private key file")
    Path file;

    @Override
    public Integer call() {
      try {
        spec.commandLine().getOut().println(TlsIdentity.load(file).designator());
        return 0;
      } catch (IOException e) {
        spec.commandLine().getErr().println("capnet identity show: " + e.getMessage());
        return Capnet.REFUSED;
      }
    }
  }
}
