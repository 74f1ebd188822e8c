using Lrnn.Extensions.AI;
using Xunit;

namespace Lrnn.Tests.Chat;

public sealed class StreamingStopMatcherTests
{
    [Fact]
    public void HoldsBackWhatMayBeginAStopStringAndReleasesItWhenItDoesNot()
    {
        var matcher = new StreamingStopMatcher(["\nUser:"]);
        Assert.Equal(("Hello", false), matcher.Push("Hello"));
        Assert.Equal(("", false), matcher.Push("Hello\nUs"));            // "\nUs" may be the stop string's start
        Assert.Equal(("\nUsa", false), matcher.Push("Hello\nUsa"));      // it was not
        Assert.Equal((" and", true), matcher.Push("Hello\nUsa and\nUser: x"));
    }

    [Fact]
    public void TheEarliestOfSeveralStopStringsWinsAndFinalReleasesTheRest()
    {
        var matcher = new StreamingStopMatcher(["cd", "b"]);
        Assert.Equal(("a", true), matcher.Push("abcd"));
        var other = new StreamingStopMatcher(["xyz"]);
        Assert.Equal(("ab", false), other.Push("abxy"));
        Assert.Equal(("xy", false), other.Push("abxy", final: true));
    }

    [Fact]
    public void ATrailingReplacementCharacterWaitsForTheRestOfItsCharacter()
    {
        // A stop string with a multi-byte character: its first char must not be released while the next is incomplete.
        var matcher = new StreamingStopMatcher(["a€"]);
        Assert.Equal(("x", false), matcher.Push("xa\uFFFD"));
        Assert.Equal(("", true), matcher.Push("xa€"));
        var plain = new StreamingStopMatcher([]);
        Assert.Equal(("x", false), plain.Push("x\uFFFD"));
        Assert.Equal(("\uFFFDy", false), plain.Push("x\uFFFDy"));       // followed by text: a real invalid byte
    }
}
