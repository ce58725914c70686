/**
 * Shows how to import a dataset and what to run before there is anything to review. It is the first
 * screen of an empty workspace, because Apron ships no demo dataset.
 */
export function NoDatasets() {
  return (
    <section className="empty-state">
      <h1>No datasets yet</h1>
      <p>
        This workspace has no dataset. Import one from a terminal in the Apron folder, then reload this page. The
        importer writes a manifest that points at the files; it does not copy them.
      </p>

      <h2>1. Import a dataset</h2>
      <p>KITTI bird's-eye-view rasters with poses (one folder per sequence):</p>
      <pre className="command">npx apron import kitti-bev &lt;folder&gt;</pre>
      <p>Nordland summer and winter frames:</p>
      <pre className="command">npx apron import nordland &lt;folder&gt;</pre>

      <h2>2. Train, embed and mine</h2>
      <p>
        Train an encoder on the dataset, embed every sample with it, then mine the pairs that look like false
        negatives into a review queue:
      </p>
      <pre className="command">
        {'npx apron train --dataset <dataset id>      # prints a run id\n' +
          'npx apron embed --run <run id>               # prints an embedding version\n' +
          'npx apron mine --embedding <embedding version>'}
      </pre>
      <p>
        Each command lists its options with <code>--help</code>, for example <code>npx apron train --help</code>. All of
        them take <code>--workspace &lt;folder&gt;</code> when you keep the store somewhere other than the default.
      </p>

      <h2>3. Review</h2>
      <p>
        The queue appears on the dataset's page here. Enter your reviewer name at the top right, open the queue, choose
        "Review from pair 1", and decide each pair from the keyboard: S same, D different, U unsure, Z undo.
      </p>
    </section>
  );
}
