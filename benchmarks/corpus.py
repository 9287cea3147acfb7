"""Write a corpus of digest-shaped posts: one a day, 3-6 KB, mostly Chinese with English.

    python benchmarks/corpus.py OUT_DIR --posts 1000 [--style dense|light] [--hugo]

Each post has YYYY/MM/DD front matter, numbered items with headings, raw <img> and
<video>, a <small> caption, bare URLs next to full-width punctuation, a link list with
hard breaks, and sometimes a table or a code block; tags come from a pool of 30.

``dense`` (the default) is shaped like real digests: about 20 links a post, link lists of
3-10 ``[@handle](url)`` lines in some items, ``![](url)`` images without alt text, ``**``
around Chinese and full-width quotes, soft breaks between Chinese lines, bare URLs glued
to “”、——、…… and emoji. ``light`` is the older corpus with about 5 links a post.
Deterministic: the same --posts, --seed and --style give the same files. With --hugo the
same posts are also written as a Hugo site (content/posts/*.md) next to the digest one.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

TAGS = [f"话题{n:02d}" if n % 3 else f"topic-{n:02d}" for n in range(30)]
COMPANIES = ["OpenAI", "Google", "Anthropic", "Meta", "Mistral", "DeepSeek", "Qwen", "Apple"]
PHRASES = [
    "发布了新的多模态模型，支持图像和语音输入",
    "在推理速度上提升了一倍，同时降低了部署成本",
    "开源了训练代码和部分数据集，社区反响热烈",
    "宣布与多家云服务商合作，面向企业用户开放接口",
    "公布了新的评测结果，在数学和代码任务上表现突出",
    "更新了使用条款，限制了部分高风险场景的调用",
    "推出了面向开发者的命令行工具，可以直接在终端里对话",
    "展示了机器人在真实环境中完成复杂任务的视频",
]
CODE = '```python\nprint("hello, digest")\nfor i in range(3):\n    print(i)\n```\n'
ENGLISH = [
    "The release notes mention a longer context window and better tool use.",
    "Early testers report fewer refusals and more consistent formatting.",
    "Pricing stays the same for the API, with a free tier for small projects.",
]


def post_body(rng: random.Random, day: date) -> str:
    parts: list[str] = ["今天的几条要闻如下。\n"]
    for item in range(1, rng.randint(4, 6) + 1):
        company = rng.choice(COMPANIES)
        parts.append(f"## {item}. {company} {rng.choice(PHRASES)[:12]}\n")
        sentences = [f"{company}{rng.choice(PHRASES)}。" for _ in range(rng.randint(3, 5))]
        parts.append("".join(sentences) + rng.choice(ENGLISH) + "\n")
        slug = f"{company.lower()}-{day:%Y%m%d}-{item}"
        parts.append(f"项目地址：https://example.com/{slug}，欢迎试用。\n")
        if item % 2:
            image = f"https://img.example.com/{slug}.png"
            parts.append(
                f'<img width="600" src="{image}" alt="{company} 示意图">\n'
                f"<small>图：{company} 的官方示意图。</small>\n"
            )
        else:
            parts.append(
                f'<video src="https://video.example.com/{slug}.mp4" controls width="600"></video>\n'
            )
        if item == 3 and rng.random() < 0.3:
            parts.append("| 模型 | 分数 |\n| --- | ---: |\n| A | 71.2 |\n| B | 69.8 |\n")
        if item == 4 and rng.random() < 0.2:
            parts.append(CODE)
    handles = " ".join(f"[@{c}](https://x.com/{c})" for c in rng.sample(COMPANIES, 4))
    parts.append(f"## 链接\n\n{handles}  \n[@digest](https://x.com/digest)\n")
    return "\n".join(parts)


HANDLES = [
    "sama", "karpathy", "ylecun", "demishassabis", "OfficialLoganK", "swyx", "simonw",
    "hardmaru", "jeremyphoward", "AndrewYNg", "drjimfan", "emollick", "goodside", "_akhaliq",
]  # fmt: skip
GLUED_AFTER = ["，", "。", "”", "……", "——以及", "·更多", "→下一个", "🚀", "）"]
EMOJI = ["🚀", "🔥", "👀", "✨", "📈"]


def dense_post_body(rng: random.Random, day: date) -> str:
    """A post as link-dense as real digests (see the module docstring)."""
    parts: list[str] = [f"今天的几条要闻如下 {rng.choice(EMOJI)}\n"]
    for item in range(1, rng.randint(4, 6) + 1):
        company = rng.choice(COMPANIES)
        slug = f"{company.lower()}-{day:%Y%m%d}-{item}"
        parts.append(f"## {item}、{company} {rng.choice(PHRASES)[:12]}\n")
        first, second = (rng.choice(PHRASES) for _ in range(2))
        parts.append(
            f"{company} **{first[:6]}**{first[6:]}，\n"
            f"据**“{company} 官方”**消息，{second}。\n"
            + "".join(f"{company}{rng.choice(PHRASES)}。" for _ in range(rng.randint(2, 4)))
            + rng.choice(ENGLISH)
            + "\n"
        )
        glue = rng.choice(GLUED_AFTER)
        also = f" 详见 https://docs.example.com/{slug}。" if item % 2 == 0 else ""
        parts.append(f"原文：“https://example.com/{slug}{glue}”{also}\n")
        if item % 2:
            parts.append(
                f'<img width="600" src="https://img.example.com/{slug}.png">\n'
                f"<small>图：{company} 的官方示意图。</small>\n"
            )
        else:
            parts.append(f"![](https://img.example.com/{slug}.png)\n")
        if item == 2:
            parts.append(f'<video src="https://video.example.com/{slug}.mp4" controls></video>\n')
        if rng.random() < 0.3:
            handles = rng.sample(HANDLES, rng.randint(3, 10))
            lines = [
                " ".join(f"[@{h}](https://x.com/{h}/status/{rng.randrange(10**9)})" for h in pair)
                for pair in (handles[i : i + 2] for i in range(0, len(handles), 2))
            ]
            parts.append("  \n".join(lines) + "  \n")
        if item == 3 and rng.random() < 0.3:
            parts.append("| 模型 | 分数 |\n| --- | ---: |\n| A | 71.2 |\n| B | 69.8 |\n")
        if item == 4 and rng.random() < 0.2:
            parts.append(CODE)
    return "\n".join(parts)


def write_corpus(out: Path, posts: int, seed: int, hugo: bool, style: str = "dense") -> None:
    body_of = dense_post_body if style == "dense" else post_body
    rng = random.Random(seed)
    start = date(2020, 1, 1)
    digest_content = out / "digest" / "content"
    digest_content.mkdir(parents=True, exist_ok=True)
    (out / "digest" / "digest.toml").write_text(
        'title = "Benchmark Digest"\nbase_url = "https://example.org/"\n'
        'language = "zh-CN"\ntimezone = "Asia/Shanghai"\nposts_per_page = 10\n',
        encoding="utf-8",
    )
    hugo_content = out / "hugo" / "content" / "posts"
    if hugo:
        hugo_content.mkdir(parents=True, exist_ok=True)
    for index in range(posts):
        day = start + timedelta(days=index)
        tags = rng.sample(TAGS, 3)
        body = body_of(rng, day)
        front = f"---\ndate: {day:%Y/%m/%d}\ntags: [{', '.join(tags)}]\n---\n\n"
        folder = digest_content / f"{day:%Y}"
        folder.mkdir(exist_ok=True)
        (folder / f"{day:%m-%d}.md").write_text(front + body, encoding="utf-8")
        if hugo:
            hugo_front = (
                f'---\ntitle: "{day:%Y年%m月%d日}"\ndate: {day:%Y-%m-%d}\n'
                f"tags: [{', '.join(tags)}]\n---\n\n"
            )
            (hugo_content / f"{day:%Y-%m-%d}.md").write_text(hugo_front + body, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--hugo", action="store_true")
    parser.add_argument("--style", choices=("dense", "light"), default="dense")
    args = parser.parse_args()
    write_corpus(args.out, args.posts, args.seed, args.hugo, args.style)


if __name__ == "__main__":
    main()
