using Lrnn.Checkpoints;
using Lrnn.Config;
using Lrnn.Models;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Lrnn.Tests.Model;

/// <summary>The README's model example, verbatim but for the folder, so the documented code keeps working.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void TheReadmeModelExampleRuns()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lrnn-readme-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = new LrnnConfig
            {
                DModel = 256, DState = 64, NLayer = 4, VocabSize = 259, DIntermediate = 512,
                MixerTypes = ["LRU", "S4D", "LRU", "attn"],
                MixerKwargs = JObject.Parse("""{ "attn": { "num_heads": 4, "causal": true } }"""),
            }.Validate();

            using var model = new LrnnLMHeadModel(config, device: Device.CPU);
            using var ids = torch.randint(0, 259, [2, 16]);
            using var logits = model.Forward(ids);
            Assert.Equal(new long[] { 2, 16, 264 }, logits.shape);

            using var cache = model.AllocateInferenceCache(batch: 2, maxSeqLen: 64);
            using var last = model.Prefill(ids, cache);
            using var next = last.argmax(-1);
            using var stepLogits = model.Step(next, cache);
            Assert.Equal(new long[] { 2, 1, 264 }, stepLogits.shape);

            model.SavePretrained(folder);
            var reports = new List<CheckpointLoadProgress>();
            using var again = LrnnLMHeadModel.FromPretrained(folder,
                progress: new Progress<CheckpointLoadProgress>(p => { lock (reports) reports.Add(p); }));
            using var reloaded = again.Forward(ids);
            Assert.True(reloaded.allclose(logits, rtol: 0, atol: 0));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
