/**
 * The application built on the library: the command line, the demo, experiments, the oracle
 * language, evaluation, judges and HTML reports.
 */
module io.cpo4j.cli {
    requires transitive io.cpo4j.cpo;
    requires java.net.http;

    exports io.cpo4j.cli;
    exports io.cpo4j.cli.experiment;
    exports io.cpo4j.cli.oracle;
    exports io.cpo4j.cli.eval;
    exports io.cpo4j.cli.judge;
    exports io.cpo4j.cli.report;
}
