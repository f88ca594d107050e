package dev.forkwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

class ForkwiseCommandTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Forkwise.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Run r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: forkwise", "lab", "version");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lab", "bench", "advise", "version", "member"})
    void everySubcommandAnswersHelpWithExitZero(String command) {
        for (String flag : new String[] {"--help", "-h"}) {
            Run r = run(command, flag);
            assertThat(r.exit()).as(command + " " + flag + ": " + r.err()).isZero();
            assertThat(r.out()).contains("Usage: forkwise " + command, "-h, --help");
        }
        Run help = run("help", command);
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: forkwise " + command);
    }

    @Test
    void noCommandPrintsUsage() {
        Run r = run();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: forkwise");
    }

    @Test
    void versionNamesForkwiseJavaAndCores() {
        Run r = run("version");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("forkwise " + Forkwise.version())
                .contains("Java " + Runtime.version().feature())
                .contains(Runtime.getRuntime().availableProcessors() + " cores");
        assertThat(Forkwise.version()).isNotEqualTo("unknown").doesNotContain("${");
    }

    @Test
    void labListsItsExperiments() {
        Run r = run("lab", "--list");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("sleeping-squares", "sum-of-squares", "many-sleepers");
    }

    @Test
    void anUnknownExperimentIsAnErrorThatListsTheRealOnes() {
        Run r = run("lab", "no-such-thing");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .contains("no experiment 'no-such-thing'", "sleeping-squares", "sum-of-squares");
    }

    @Test
    void adviseMeasuresAUsersWorkloadAndPrintsTheAdviceWithItsReasons() {
        Run r = run("advise", SleepyWorkload.class.getName());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("kind:     WAITING", "run on:   VIRTUAL_THREADS")
                .containsPattern("\\d+% of wall time is waiting");
    }

    @Test
    void adviseRefusesAClassThatIsNotAWorkload() {
        Run r = run("advise", String.class.getName());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("does not implement dev.forkwise.Advisor.Workload");
    }
}
