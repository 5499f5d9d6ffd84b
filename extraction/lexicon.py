"""Facts the rules rely on: well-known AI-industry companies, their aliases, and products.

The seed list lets ``manage.py extract`` work with no database at all; when a database is
reachable its companies (and curators' aliases) are used instead. Products are listed so
that "Claude" or "Azure" is read as evidence of a relationship, never as a party.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class KnownCompany:
    name: str
    slug: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = field(default=(), compare=False)


def _c(name: str, slug: str, *aliases: str, domains: tuple[str, ...] = ()) -> KnownCompany:
    return KnownCompany(name=name, slug=slug, aliases=tuple(aliases), domains=domains)


SEED_COMPANIES: tuple[KnownCompany, ...] = (
    _c(
        "Microsoft",
        "microsoft",
        "Microsoft Corporation",
        "MSFT",
        "Microsoft Azure",
        "GitHub",
        "LinkedIn",
        domains=("microsoft.com", "github.com", "github.blog"),
    ),
    _c("OpenAI", "openai", "OpenAI Group PBC", "OpenAI Global", "Open AI", domains=("openai.com",)),
    _c("Anthropic", "anthropic", "Anthropic PBC", domains=("anthropic.com",)),
    _c(
        "Amazon",
        "amazon",
        "AWS",
        "Amazon Web Services",
        "Amazon.com",
        domains=("amazon.com", "aboutamazon.com", "aws.amazon.com"),
    ),
    _c(
        "Google",
        "google",
        "Alphabet",
        "Google Cloud",
        "Google DeepMind",
        "DeepMind",
        "Google LLC",
        "YouTube",
        "Waymo",
        domains=("google.com", "blog.google", "deepmind.google"),
    ),
    _c("NVIDIA", "nvidia", "Nvidia", domains=("nvidia.com",)),
    _c("AMD", "amd", "Advanced Micro Devices", domains=("amd.com",)),
    _c("Broadcom", "broadcom", domains=("broadcom.com",)),
    _c("Oracle", "oracle", "Oracle Cloud Infrastructure", "OCI", domains=("oracle.com",)),
    _c("SoftBank", "softbank", "SoftBank Group", "SoftBank Group Corp", domains=("softbank.jp",)),
    _c("SB Energy", "sb-energy"),
    _c("MGX", "mgx"),
    _c("Arm", "arm", "Arm Holdings", domains=("arm.com",)),
    _c("Apple", "apple", domains=("apple.com",)),
    _c(
        "Meta",
        "meta",
        "Meta Platforms",
        "Facebook",
        "Meta AI",
        "Instagram",
        "WhatsApp",
        domains=("meta.com", "ai.meta.com"),
    ),
    _c("Mistral AI", "mistral-ai", "Mistral", domains=("mistral.ai",)),
    _c("xAI", "xai", "X.AI", domains=("x.ai",)),
    _c("SpaceX", "spacex"),
    _c("Cohere", "cohere", domains=("cohere.com",)),
    _c("Perplexity", "perplexity", "Perplexity AI", domains=("perplexity.ai",)),
    _c("Salesforce", "salesforce", domains=("salesforce.com",)),
    _c("Snowflake", "snowflake", domains=("snowflake.com",)),
    _c("Accenture", "accenture"),
    _c("Deloitte", "deloitte"),
    _c("Cognizant", "cognizant"),
    _c("IBM", "ibm"),
    _c("Intel", "intel"),
    _c("Samsung", "samsung", "Samsung Electronics"),
    _c("SK hynix", "sk-hynix", "SK Group", "SK Telecom"),
    _c("TSMC", "tsmc", "Taiwan Semiconductor Manufacturing Company"),
    _c("Fluidstack", "fluidstack"),
    _c("CoreWeave", "coreweave"),
    _c("Cerebras", "cerebras", "Cerebras Systems"),
    _c("Nscale", "nscale"),
    _c("Lambda", "lambda", "Lambda Labs"),
    _c("Crusoe", "crusoe", "Crusoe Energy"),
    _c("Databricks", "databricks"),
    _c("Palantir", "palantir", "Palantir Technologies"),
    _c("Scale AI", "scale-ai"),
    _c("Hugging Face", "hugging-face"),
    _c("Inflection AI", "inflection-ai"),
    _c("Character.AI", "character-ai", "Character AI"),
    _c("Stability AI", "stability-ai"),
    _c("Foxconn", "foxconn", "Hon Hai"),
    _c("The Walt Disney Company", "disney", "Disney", "Walt Disney"),
    _c("News Corp", "news-corp"),
    _c("Reddit", "reddit"),
    _c("Stack Overflow", "stack-overflow"),
    _c("Axel Springer", "axel-springer"),
    _c("Associated Press", "associated-press", "AP"),
    _c("Vox Media", "vox-media"),
    _c("Condé Nast", "conde-nast"),
    _c("Hearst", "hearst"),
    _c("Financial Times", "financial-times", "FT"),
    _c("AFP", "afp", "Agence France-Presse"),
    _c("Le Monde", "le-monde"),
    _c("Prisa Media", "prisa-media", "Prisa"),
    _c("The Washington Post", "washington-post", "Washington Post"),
    _c("Dotdash Meredith", "dotdash-meredith"),
    _c("Schibsted", "schibsted"),
    _c("Axios", "axios"),
    _c("ICONIQ", "iconiq", "ICONIQ Capital"),
    _c("Fidelity", "fidelity", "Fidelity Management & Research Company", "Fidelity Investments"),
    _c("Lightspeed Venture Partners", "lightspeed", "Lightspeed"),
    _c("Thrive Capital", "thrive-capital"),
    _c("Menlo Ventures", "menlo-ventures"),
    _c("Spark Capital", "spark-capital"),
    _c("Qatar Investment Authority", "qia", "QIA"),
    _c("Khosla Ventures", "khosla-ventures"),
    _c("Shopify", "shopify"),
    _c("Stripe", "stripe"),
    _c("Figma", "figma"),
    _c("Notion", "notion"),
    _c("ServiceNow", "servicenow"),
    _c("SAP", "sap"),
    _c("Workday", "workday"),
    _c("Uber", "uber"),
    _c("Instacart", "instacart"),
    _c("Walmart", "walmart"),
    _c("Mattel", "mattel"),
    _c("Cisco", "cisco"),
    _c("Dell", "dell", "Dell Technologies"),
    _c("HPE", "hpe", "Hewlett Packard Enterprise"),
    _c("Qualcomm", "qualcomm"),
    _c("Micron", "micron"),
    _c("Infosys", "infosys"),
    _c("PwC", "pwc"),
    _c("KPMG", "kpmg"),
    _c("Goldman Sachs", "goldman-sachs"),
    _c("Morgan Stanley", "morgan-stanley"),
    _c("JPMorgan Chase", "jpmorgan", "JPMorgan"),
    _c("BBVA", "bbva"),
    _c("Citigroup", "citigroup", "Citi", "Citibank"),
    _c("Wells Fargo", "wells-fargo"),
    _c("Bank of America", "bank-of-america", "BofA"),
    _c("Santander", "santander", "Banco Santander"),
    _c("HSBC", "hsbc"),
    _c("UBS", "ubs"),
    _c("Barclays", "barclays"),
    _c("BNP Paribas", "bnp-paribas"),
    _c("SMBC", "smbc", "Sumitomo Mitsui Banking Corporation"),
    _c("MUFG", "mufg", "Mitsubishi UFJ Financial Group"),
    _c("Mizuho", "mizuho"),
    _c("Blackstone", "blackstone"),
    _c("BlackRock", "blackrock", "Blackrock"),
    _c("Hellman & Friedman", "hellman-friedman"),
    _c("Sequoia Capital", "sequoia", "Sequoia"),
    _c("Andreessen Horowitz", "a16z", "a16z", "A16Z"),
    _c("Valor Equity Partners", "valor", "Valor"),
    _c("Vy Capital", "vy-capital"),
    _c("Kingdom Holding", "kingdom-holding", "Kingdom Holdings", "Kingdom Holding Company"),
    _c("Founders Fund", "founders-fund"),
    _c("General Catalyst", "general-catalyst"),
    _c("Coatue", "coatue", "Coatue Management"),
    _c("Tiger Global", "tiger-global", "Tiger Global Management"),
    _c("Insight Partners", "insight-partners"),
    _c("T. Rowe Price", "t-rowe-price"),
    _c("Temasek", "temasek"),
    _c("GIC", "gic"),
    _c("Mubadala", "mubadala"),
    _c("Oman Investment Authority", "oia", "OIA"),
    _c("Lumen", "lumen", "Lumen Technologies"),
)

# Products, models, chips and programmes: evidence of a relationship, never a party.
PRODUCTS: frozenset[str] = frozenset(
    name.lower()
    for name in (
        "Claude",
        "Claude Code",
        "Claude Opus",
        "Claude Sonnet",
        "Claude Haiku",
        "Azure",
        "Azure AI Foundry",
        "Azure OpenAI Service",
        "Copilot",
        "Microsoft 365 Copilot",
        "Microsoft Foundry",
        "Foundry",
        "Gemini",
        "ChatGPT",
        "ChatGPT Enterprise",
        "GPT",
        "GPT-4",
        "GPT-4o",
        "GPT-5",
        "Sora",
        "Codex",
        "Bedrock",
        "Amazon Bedrock",
        "Vertex",
        "Vertex AI",
        "Siri",
        "Apple Intelligence",
        "Trainium",
        "Trainium2",
        "Trainium3",
        "Inferentia",
        "TPU",
        "TPUs",
        "Agentforce",
        "Slack",
        "Xcode",
        "Stargate",
        "Llama",
        "Grok",
        "Mistral Large",
        "Le Chat",
        "Blackwell",
        "Vera Rubin",
        "Rubin",
        "Hopper",
        "DGX",
        "Instinct",
        "MI450",
        "Project Rainier",
        "Colossus",
        "Models as a Service",
        "MaaS",
        "Azure AI Studio",
        "Snowflake Cortex",
        "Cortex AI",
        "Snowflake Intelligence",
        "Claude for Enterprise",
        "Claude Enterprise",
        "Opus",
        "Sonnet",
        "Haiku",
        "MCP",
        "Model Context Protocol",
        "Office",
        "Microsoft 365",
        "Windows",
        "Teams",
        "Excel",
        "Word",
        "PowerPoint",
        "iOS",
        "macOS",
        "iPadOS",
        "Android",
        "Chrome",
        "Kiro",
        "Alexa",
        "Alexa+",
    )
)

# Who usually sits on which side of a deal, for reading its direction when the wording does
# not say: model developers license, distribute and integrate their models and buy compute;
# infrastructure companies supply compute, chips and power. Keys are ``normalize_name`` keys.
MODEL_MAKERS: frozenset[str] = frozenset(
    {"openai", "anthropic", "mistral ai", "mistral", "xai", "cohere", "perplexity", "perplexity ai",
     "inflection ai", "character ai", "stability ai", "ai21 labs", "aleph alpha", "deepseek",
     "safe superintelligence", "thinking machines lab", "reka", "midjourney", "runway"}
)  # fmt: skip
# Companies that also make models but act as the platform in most deals.
PLATFORMS: frozenset[str] = frozenset({"google", "microsoft", "amazon", "meta", "apple", "ibm", "salesforce"})
INFRA_PROVIDERS: frozenset[str] = frozenset(
    {"microsoft", "amazon", "google", "oracle", "coreweave", "nvidia", "amd", "broadcom", "fluidstack",
     "nscale", "lambda", "crusoe", "cerebras", "sb energy", "tsmc", "samsung", "sk hynix", "arm", "intel",
     "micron", "dell", "hpe", "cisco", "foxconn", "softbank", "nebius", "groq", "equinix", "digital realty",
     "applied digital", "core scientific", "iren", "g42", "humain", "stargate", "stargate llc"}
)  # fmt: skip
# News organisations: their side of a deal is their content (a licensing deal).
NEWS_PUBLISHERS: frozenset[str] = frozenset(
    {"news corp", "axel springer", "associated press", "vox media", "conde nast", "hearst",
     "financial times", "afp", "le monde", "prisa media", "reuters", "washington post",
     "dotdash meredith", "schibsted", "axios", "the atlantic", "time", "guardian media group"}
)  # fmt: skip
# Companies that make chips: a chip deal has one of them on a side (a cloud that supplies
# GPUs sells compute, not chips).
CHIP_MAKERS: frozenset[str] = frozenset(
    {"nvidia", "amd", "broadcom", "intel", "qualcomm", "tsmc", "samsung", "sk hynix", "arm", "cerebras",
     "micron", "groq", "marvell", "mediatek"}
)  # fmt: skip
# A product named in a clause says whose it is.
PRODUCT_OWNERS: dict[str, str] = {
    "chatgpt": "openai", "gpt": "openai", "sora": "openai", "codex": "openai", "openai api": "openai",
    "claude": "anthropic", "claude code": "anthropic", "gemini": "google", "vertex": "google",
    "grok": "xai", "le chat": "mistral ai", "llama": "meta", "command": "cohere", "comet": "perplexity",
    "sonar": "perplexity", "copilot": "microsoft", "azure": "microsoft", "foundry": "microsoft",
    "bedrock": "amazon", "alexa": "amazon", "siri": "apple", "apple intelligence": "apple",
}  # fmt: skip
