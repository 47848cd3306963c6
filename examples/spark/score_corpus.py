#!/usr/bin/env python3
"""Score a corpus of news articles on Apache Spark with `stance`, in one of two modes.

--mode pipe (the default): each Spark partition of articles is piped, as
JSON lines, through

    stance score - --input-format jsonl --format jsonl --rejects - --quiet --model MODEL

running on the executor, and the JSON lines that come back (one per
statement, plus one per rejected article) become DataFrames.

--mode arrow: Spark hands each partition to Python as Arrow record batches
(`mapInArrow`) and the `stance` Python package scores them in the executor's
Python worker (`model.score(batch, round=True, rejects=True)`), no process
or JSON in between; the executors' Python needs the package (`pip install
./python`) and no binary is shipped. Same rows out as --mode pipe:

    OUTPUT/statements/   Parquet, one row per statement, the columns of `stance score --format jsonl`
    OUTPUT/rejects/      JSON lines: article_id, reason, partition, line
    OUTPUT/topic_stats/  JSON lines: per-topic statistics (the `topics` table of `stance report`)

The per-topic table is also printed. Usage (see README.md beside this file):

    spark-submit --master local[2] examples/spark/score_corpus.py \
        --input articles.jsonl --output out \
        --model models/default.model --stance-bin target/release/stance
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading

from pyspark import SparkFiles, StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

# What `stance score --format jsonl --rejects -` writes: the statement keys,
# and on a rejected item `rejected`, `reason` and `position` (`-:LINE`, the
# 1-based line of the binary's standard input). One schema for both kinds of
# line: a statement leaves the reject fields null and the other way round.
# Note: a key the binary adds later is dropped here, so tests/spark_local.rs,
# which compares with a single-process run, fails until it is listed.
STATEMENT_COLUMNS = [
    ("article_id", "STRING"),
    ("sentence", "BIGINT"),
    ("start", "BIGINT"),
    ("end", "BIGINT"),
    ("text", "STRING"),
    ("topic", "STRING"),
    ("topic_prob", "DOUBLE"),
    ("stance", "STRING"),
    ("stance_prob", "DOUBLE"),
    ("date", "STRING"),
    ("source", "STRING"),
    ("best_topic", "STRING"),
    ("min_confidence", "DOUBLE"),
    ("known_terms", "BIGINT"),
    ("language", "STRING"),
    ("topic_probs", "MAP<STRING, DOUBLE>"),
    ("stance_probs", "MAP<STRING, DOUBLE>"),
]
REJECT_COLUMNS = [("rejected", "BOOLEAN"), ("reason", "STRING"), ("position", "STRING")]
OUTPUT_SCHEMA = ", ".join(f"`{name}` {kind}" for name, kind in STATEMENT_COLUMNS + REJECT_COLUMNS)

# `stance report`'s default threshold for its "low confidence" column.
LOW_CONFIDENCE = 0.5

# The `topics` table of `stance report` (docs/REPORT_FORMAT.md), in Spark SQL.
# AVG skips nulls, so mean_stance_prob is over the rows with a stance, as there.
TOPIC_STATS_SQL = f"""
SELECT
  topic,
  COUNT(*)                                         AS statements,
  COUNT(*) / (SELECT COUNT(*) FROM statements)     AS share,
  COUNT(DISTINCT article_id)                       AS articles,
  COUNT_IF(stance = 'favor')                       AS favor,
  COUNT_IF(stance = 'favor') / COUNT(*)            AS favor_share,
  COUNT_IF(stance = 'against')                     AS against,
  COUNT_IF(stance = 'against') / COUNT(*)          AS against_share,
  COUNT_IF(stance = 'neutral')                     AS neutral,
  COUNT_IF(stance = 'neutral') / COUNT(*)          AS neutral_share,
  (COUNT_IF(stance = 'favor') - COUNT_IF(stance = 'against')) / COUNT(*) AS net_stance,
  AVG(topic_prob)                                  AS mean_topic_prob,
  AVG(stance_prob)                                 AS mean_stance_prob,
  COUNT_IF(topic_prob < {LOW_CONFIDENCE} OR topic = 'uncertain') AS below_threshold
FROM statements
GROUP BY topic
ORDER BY topic = 'uncertain', statements DESC, topic
"""


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Score articles (JSON Lines or Parquet) with `stance score` on Spark."
    )
    p.add_argument("--input", required=True,
                   help="file or folder of articles: JSON Lines (.jsonl/.json, may be .gz) or Parquet")
    p.add_argument("--input-format", choices=["jsonl", "parquet"],
                   help="default: from the extension, or the files in a local folder")
    p.add_argument("--output", required=True, help="folder for statements/, rejects/, topic_stats/")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --output")
    p.add_argument("--model", default="models/default.model",
                   help="model file; shipped to the executors unless given to spark-submit --files")
    p.add_argument("--stance-bin", default="target/release/stance",
                   help="the stance binary for the executors' OS and CPU; shipped like --model")
    p.add_argument("--partitions", type=int,
                   help="number of partitions (binary runs) to score in; default: as Spark reads the input")
    p.add_argument("--master", help="Spark master, e.g. local[2] (default: spark-submit's)")
    p.add_argument("--mode", choices=["pipe", "arrow"], default="pipe",
                   help="pipe: through the stance binary; arrow: mapInArrow through the Python package")
    for key in ["id", "text", "date", "source", "title"]:
        p.add_argument(f"--{key}-col", default=key, help=f"JSON key / Parquet column of the {key}")
    args = p.parse_args(argv)
    if args.partitions is not None and args.partitions < 1:
        p.error("--partitions must be at least 1")
    args.input_format = args.input_format or guess_input_format(args.input)
    if args.input_format is None:
        p.error(f"cannot tell the format of {args.input}; pass --input-format jsonl or parquet")
    return args


def guess_input_format(path):
    """`jsonl` or `parquet` from the name, or from the files of a local folder; None if unsure."""
    def by_name(name):
        name = name.lower()
        if name.endswith(".parquet"):
            return "parquet"
        if name.endswith((".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz")):
            return "jsonl"
        return None

    found = by_name(path.rstrip("/"))
    if found is None and os.path.isdir(path):
        # Hidden and `_` files (Spark's _SUCCESS, .crc) are skipped by Spark's readers too.
        kinds = {by_name(f) for f in os.listdir(path) if not f.startswith((".", "_"))}
        if len(kinds) == 1:
            found = kinds.pop()
    return found


def ship(sc, path):
    """Make the file at PATH (local, hdfs://, s3a://, ...) reach every executor.

    Returns the name to open with SparkFiles.get on an executor. A file given
    to spark-submit --files (or on YARN, spark.yarn.dist.files) is there already.
    """
    name = os.path.basename(path)
    conf = sc.getConf()
    given = conf.get("spark.files", "") + "," + conf.get("spark.yarn.dist.files", "")
    if name not in {os.path.basename(f) for f in given.split(",") if f}:
        sc.addFile(path)
    return name


def read_articles(spark, args):
    """The articles as an RDD of JSON lines (bytes), one article per line."""
    sc = spark.sparkContext
    if args.input_format == "jsonl":
        # Note: the lines go to the binary byte for byte, so a broken line is
        # rejected with the same reason as by `stance score FILE.jsonl`.
        # (Spark's JSON reader would turn it into a `_corrupt_record` instead.)
        articles = sc.textFile(args.input, minPartitions=args.partitions, use_unicode=False)
    else:
        frame = spark.read.parquet(args.input)
        wanted = [args.id_col, args.text_col, args.date_col, args.source_col, args.title_col]
        missing = [c for c in wanted[:2] if c not in frame.columns]
        if missing:
            sys.exit(f"{args.input}: no column {', '.join(missing)} (columns: {', '.join(frame.columns)})")
        # toJSON leaves out null fields: the binary then rejects a row without
        # id or text ("missing id", "missing text") as it would a JSON line.
        frame = frame.select([c for c in wanted if c in frame.columns])
        articles = frame.toJSON().map(lambda line: line.encode("utf-8"))

    target = args.partitions
    have = articles.getNumPartitions()
    if target is not None and have > target:
        articles = articles.coalesce(target)  # merges input splits, no shuffle
    elif target is not None and have < target:
        articles = articles.repartition(target)  # a shuffle: Spark read fewer splits
    return articles


def score_partition(index, lines, bin_name, model_name, column_flags, threads):
    """Pipe one partition through `stance score -`; yield (partition, output line).

    A thread writes the articles to the binary's stdin while this generator
    reads its stdout, so neither side waits for the other and the partition is
    never held in memory. Exit 0 (all scored) and 2 (some rejected; the
    rejects are among the output lines) are success; anything else fails the
    task with the binary's error message, and Spark retries or fails the job.
    """
    binary = SparkFiles.get(bin_name)
    if not os.access(binary, os.X_OK):
        os.chmod(binary, 0o755)  # Note: a file fetched from HDFS or S3 loses its x bit.
    command = [binary, "score", "-", "--input-format", "jsonl", "--format", "jsonl",
               "--rejects", "-", "--quiet", "--model", SparkFiles.get(model_name), *column_flags]
    # One rayon thread per core the task holds (spark.task.cpus), so N tasks
    # on an N-core executor don't start N x N threads.
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))

    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=stderr, env=env)
        feed_error = []

        def feed():
            try:
                for line in lines:
                    proc.stdin.write(line)
                    proc.stdin.write(b"\n")
            except BrokenPipeError:
                pass  # the binary stopped early; its exit code says why
            except BaseException as e:  # reading the input failed: fail the task below
                feed_error.append(e)
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass

        feeder = threading.Thread(target=feed, name=f"stance-feed-{index}", daemon=True)
        feeder.start()
        try:
            for out in proc.stdout:
                yield index, out.decode("utf-8").rstrip("\n")
            code = proc.wait()
            feeder.join()
        finally:
            if proc.poll() is None:  # the consumer stopped early or we failed: don't leak it
                proc.kill()
                proc.wait()
        if code not in (0, 2):
            stderr.seek(0)
            message = stderr.read()[-4000:].decode("utf-8", "replace").strip()
            raise RuntimeError(f"stance score exited with {code} on partition {index}: {message}")
        if feed_error:
            raise feed_error[0]


def read_article_frame(spark, args):
    """The articles as a DataFrame of id, text, date, source, title (--mode arrow),
    and `_corrupt_record` when a JSON line does not parse."""
    if args.input_format == "jsonl":
        frame = spark.read.option("mode", "PERMISSIVE").json(args.input)
    else:
        frame = spark.read.parquet(args.input)
    wanted = [args.id_col, args.text_col, args.date_col, args.source_col, args.title_col]
    if args.input_format == "parquet":
        missing = [c for c in wanted[:2] if c not in frame.columns]
        if missing:
            sys.exit(f"{args.input}: no column {', '.join(missing)} (columns: {', '.join(frame.columns)})")
    cols = [F.col(c).cast("string").alias(k) if c in frame.columns else F.lit(None).cast("string").alias(k)
            for c, k in zip(wanted, ["id", "text", "date", "source", "title"])]
    if "_corrupt_record" in frame.columns:
        # Note: Spark refuses a query of raw JSON that reads only the corrupt
        # record column; caching the parsed rows first is its documented way.
        frame = frame.cache()
        cols.append(F.col("_corrupt_record"))
    frame = frame.select(cols)
    target, have = args.partitions, frame.rdd.getNumPartitions()
    if target is not None and have > target:
        frame = frame.coalesce(target)
    elif target is not None and have < target:
        frame = frame.repartition(target)
    return frame


_MODELS = {}


def _struct_to_map(column, pa):
    """A struct column of probabilities as a map column (label -> p), nulls left out,
    as the JSON Lines of --mode pipe hold them."""
    import pyarrow.compute as pc

    names = [f.name for f in column.type]
    offsets, keys, values = [0], [], []
    valid = column.is_valid().to_pylist()
    fields = [column.field(i).to_pylist() for i in range(len(names))]
    for row, ok in enumerate(valid):
        if ok:
            for name, vals in zip(names, fields):
                if vals[row] is not None:
                    keys.append(name)
                    values.append(vals[row])
        offsets.append(len(keys))
    mask = pc.invert(column.is_valid())
    return pa.MapArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(keys, pa.string()),
                                   pa.array(values, pa.float64()), mask=mask)


def score_batches(batches, model_path, threads, out_names):
    """mapInArrow: each batch of articles scored by the `stance` package; yields
    batches of OUTPUT_SCHEMA's columns (statements, then the batch's rejects)."""
    import pyarrow as pa
    from pyspark import TaskContext

    # One rayon thread per core the task holds (spark.task.cpus), set before
    # the package starts its thread pool.
    os.environ.setdefault("RAYON_NUM_THREADS", str(threads))
    import stance

    if model_path not in _MODELS:
        _MODELS[model_path] = stance.Model.load(SparkFiles.get(model_path))
    model = _MODELS[model_path]
    partition = TaskContext.get().partitionId()
    seen = 0
    for batch in batches:
        table = pa.Table.from_batches([batch])
        n = table.num_rows
        bad_json = []
        if "_corrupt_record" in table.column_names:
            corrupt = table.column("_corrupt_record").is_valid().to_pylist()
            bad_json = [i for i, c in enumerate(corrupt) if c]
            keep = pa.array([not c for c in corrupt])
            table = table.filter(keep).drop_columns(["_corrupt_record"])
            kept_rows = [i for i, c in enumerate(corrupt) if not c]
        else:
            kept_rows = list(range(n))
        statements, rejects = model.score(table, round=True, rejects=True)
        columns = {}
        for name in out_names:
            if name in statements.column_names:
                col = statements.column(name).combine_chunks()
                if name in ("topic_probs", "stance_probs"):
                    col = _struct_to_map(col, pa)
                elif pa.types.is_unsigned_integer(col.type):
                    col = col.cast(pa.int64())
                columns[name] = col
        m = statements.num_rows
        out = {"partition": pa.array([partition] * m, pa.int32())}
        for name in out_names:
            out[name] = columns.get(name, pa.nulls(m))
        yield from _batches(out, out_names, pa)
        # Rejects: the JSON lines that did not parse, then the articles the package refused.
        rows = [(i, None, "bad JSON") for i in bad_json]
        rows += [(kept_rows[r - 1], id_, reason) for r, id_, reason in
                 zip(rejects.column("row").to_pylist(), rejects.column("article_id").to_pylist(),
                     rejects.column("reason").to_pylist())]
        if rows:
            k = len(rows)
            out = {"partition": pa.array([partition] * k, pa.int32())}
            for name in out_names:
                out[name] = pa.nulls(k)
            out["article_id"] = pa.array([r[1] for r in rows], pa.string())
            out["rejected"] = pa.array([True] * k)
            out["reason"] = pa.array([r[2] for r in rows], pa.string())
            out["position"] = pa.array([f"-:{seen + r[0] + 1}" for r in rows], pa.string())
            yield from _batches(out, out_names, pa)
        seen += n


def _arrow_type(sql, pa):
    """The Arrow type of one OUTPUT_SCHEMA column type."""
    if sql.startswith("MAP"):
        return pa.map_(pa.string(), pa.float64())
    return {"STRING": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
            "BOOLEAN": pa.bool_(), "INT": pa.int32()}[sql]


def _batches(columns, out_names, pa):
    """One batch with exactly the types of `partition` + OUTPUT_SCHEMA (Spark checks them)."""
    kinds = dict(STATEMENT_COLUMNS + REJECT_COLUMNS, partition="INT")
    names = ["partition", *out_names]
    arrays = []
    for n in names:
        want = _arrow_type(kinds[n], pa)
        col = columns[n]
        arrays.append(col if col.type == want else col.cast(want))
    yield pa.RecordBatch.from_arrays(arrays, names=names)


def topic_table(stats_rows):
    """The per-topic statistics as an aligned text table."""
    header = ["topic", "statements", "share", "articles", "favor", "against", "neutral",
              "net stance", "mean p(topic)", "mean p(stance)", "low conf."]
    rows = [header]
    for r in stats_rows:
        mean_stance = "" if r.mean_stance_prob is None else f"{r.mean_stance_prob:.3f}"
        rows.append([
            r.topic, str(r.statements), f"{r.share:.1%}", str(r.articles),
            f"{r.favor} ({r.favor_share:.1%})", f"{r.against} ({r.against_share:.1%})",
            f"{r.neutral} ({r.neutral_share:.1%})", f"{r.net_stance:+.3f}",
            f"{r.mean_topic_prob:.3f}", mean_stance, str(r.below_threshold),
        ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        for row in rows
    )


def run(spark, args):
    sc = spark.sparkContext
    model_name = ship(sc, args.model)
    threads = int(sc.getConf().get("spark.task.cpus", "1"))

    if args.mode == "arrow":
        frame = read_article_frame(spark, args)
        partitions = frame.rdd.getNumPartitions()
        out_names = [c for c, _ in STATEMENT_COLUMNS + REJECT_COLUMNS]
        parsed = frame.mapInArrow(
            lambda batches: score_batches(batches, model_name, threads, out_names),
            "`partition` INT, " + OUTPUT_SCHEMA,
        )
    else:
        bin_name = ship(sc, args.stance_bin)
        column_flags = []
        for key in ["id", "text", "date", "source", "title"]:
            column_flags += [f"--{key}-col", getattr(args, f"{key}_col")]
        articles = read_articles(spark, args)
        partitions = articles.getNumPartitions()
        output_lines = articles.mapPartitionsWithIndex(
            lambda index, lines: score_partition(index, lines, bin_name, model_name, column_flags, threads)
        )
        parsed = (
            spark.createDataFrame(output_lines, "partition INT, json STRING")
            .select("partition", F.from_json("json", OUTPUT_SCHEMA, {"mode": "FAILFAST"}).alias("r"))
            .select("partition", "r.*")
        )
    # Statements, rejects and statistics are three Spark actions over the same
    # rows: cache them (spilling to disk) so that the binary runs once per
    # partition. (If a cached block is lost Spark scores that partition again;
    # the binary's output is deterministic, so the result is the same.)
    parsed.persist(StorageLevel.MEMORY_AND_DISK)
    mode = "overwrite" if args.overwrite else "errorifexists"
    try:
        statements = parsed.where(F.col("rejected").isNull()).select([c for c, _ in STATEMENT_COLUMNS])
        statements.write.mode(mode).parquet(os.path.join(args.output, "statements"))

        # `position` is `-:LINE` on the binary's stdin: the 1-based line within
        # that partition's input. The id and the reason are the useful part.
        rejects = parsed.where(F.col("rejected")).select(
            "article_id",
            "reason",
            "partition",
            F.regexp_extract("position", r":(\d+)$", 1).cast("bigint").alias("line"),
        )
        # Keep null fields (an unparseable line has no article_id) as JSON nulls.
        rejects.write.mode(mode).option("ignoreNullFields", "false").json(
            os.path.join(args.output, "rejects"))
        rejected = rejects.count()

        statements.createOrReplaceTempView("statements")
        stats = spark.sql(TOPIC_STATS_SQL)
        stats_rows = stats.collect()  # a handful of rows, one per topic
        (spark.createDataFrame(stats_rows, stats.schema)
            .coalesce(1)  # one small file is easiest to read
            .write.mode(mode).option("ignoreNullFields", "false")
            .json(os.path.join(args.output, "topic_stats")))
    finally:
        parsed.unpersist()

    total = sum(r.statements for r in stats_rows)
    print(f"scored {total} statements in {partitions} partitions, rejected {rejected}"
          f" (see {os.path.join(args.output, 'rejects')})")
    print(topic_table(stats_rows))


def main(argv=None):
    args = parse_args(argv)
    builder = SparkSession.builder.appName("stance score_corpus")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        run(spark, args)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
