"""The scenario's security universe beyond the taxonomy, and the public sources that map it.

13F filers in the scenario hold, after the taxonomy's assets, real listed securities by their real
CUSIPs (public identifiers; each check digit verified by the tests), then a SYNTHETIC tail whose
CUSIPs are well formed (issuer ``Z`` + 5 digits, issue ``10``, a valid check digit; no CUSIP issuer
begins with Z) and whose names say SYNTHETIC. Prices, holders and values stay synthetic.

The scenario then publishes what the live sources would say of them: the SEC's list of 13(f)
securities for each quarter, and OpenFIGI's answers (one landed exchange per 100 CUSIPs). Like real
data, a few securities are known to neither (``UNKNOWN_EVERY``-th of the tail, past its most held
names): they stay 'unmapped', and the coverage mart must still find at least 95% of value mapped.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from reverse_qe.scenario.writers.securities_map import (
    ListedSecurity,
    write_13f_list,
    write_openfigi_exchange,
)
from reverse_qe.sources.parsers.sec_13f_list import check_digit


class RealSecurity(NamedTuple):
    cusip: str
    list_name: str  # as the SEC's list prints it (28 characters at most)
    description: str  # the list's issuer description
    figi_name: str  # as OpenFIGI names it
    security_type: str  # OpenFIGI's securityType
    listed_from: dt.date | None = None  # first quarter on the list (a fund launched later)


_ETP, _COM = "ETP", "Common Stock"
SPOT_BITCOIN_FUNDS_FROM = dt.date(2024, 3, 31)  # spot bitcoin ETFs trade from January 2024
REAL_SECURITIES = (
    RealSecurity("78462F103", "SPDR S&P 500 ETF TR", "TR UNIT", "SPDR S&P 500 ETF TRUST", _ETP),
    RealSecurity("037833100", "APPLE INC", "COM", "APPLE INC", _COM),
    RealSecurity("594918104", "MICROSOFT CORP", "COM", "MICROSOFT CORP", _COM),
    RealSecurity("464287200", "ISHARES TR", "CORE S&P500 ETF", "ISHARES CORE S&P 500 ETF", _ETP),
    RealSecurity("67066G104", "NVIDIA CORPORATION", "COM", "NVIDIA CORP", _COM),
    RealSecurity("023135106", "AMAZON COM INC", "COM", "AMAZON.COM INC", _COM),
    RealSecurity("922908363", "VANGUARD INDEX FDS", "S&P 500 ETF SHS", "VANGUARD S&P 500 ETF", _ETP),
    RealSecurity("02079K305", "ALPHABET INC", "CAP STK CL A", "ALPHABET INC-CL A", _COM),
    RealSecurity("30303M102", "META PLATFORMS INC", "CL A", "META PLATFORMS INC-CLASS A", _COM),
    RealSecurity("46090E103", "INVESCO QQQ TR", "UNIT SER 1", "INVESCO QQQ TRUST SERIES 1", _ETP),
    RealSecurity("084670702", "BERKSHIRE HATHAWAY INC DEL", "CL B NEW", "BERKSHIRE HATHAWAY INC-CL B", _COM),
    RealSecurity("02079K107", "ALPHABET INC", "CAP STK CL C", "ALPHABET INC-CL C", _COM),
    RealSecurity("88160R101", "TESLA INC", "COM", "TESLA INC", _COM),
    RealSecurity("922908769", "VANGUARD INDEX FDS", "TOTAL STK MKT", "VANGUARD TOTAL STOCK MKT ETF", _ETP),
    RealSecurity("46625H100", "JPMORGAN CHASE & CO", "COM", "JPMORGAN CHASE & CO", _COM),
    RealSecurity("11135F101", "BROADCOM INC", "COM", "BROADCOM INC", _COM),
    RealSecurity("532457108", "LILLY ELI & CO", "COM", "ELI LILLY & CO", _COM),
    RealSecurity("478160104", "JOHNSON & JOHNSON", "COM", "JOHNSON & JOHNSON", _COM),
    RealSecurity("92826C839", "VISA INC", "COM CL A", "VISA INC-CLASS A SHARES", _COM),
    RealSecurity("30231G102", "EXXON MOBIL CORP", "COM", "EXXON MOBIL CORP", _COM),
    RealSecurity("91324P102", "UNITEDHEALTH GROUP INC", "COM", "UNITEDHEALTH GROUP INC", _COM),
    RealSecurity("742718109", "PROCTER AND GAMBLE CO", "COM", "PROCTER & GAMBLE CO/THE", _COM),
    RealSecurity("57636Q104", "MASTERCARD INCORPORATED", "CL A", "MASTERCARD INC - A", _COM),
    RealSecurity("437076102", "HOME DEPOT INC", "COM", "HOME DEPOT INC", _COM),
    RealSecurity("464287655", "ISHARES TR", "RUSSELL 2000 ETF", "ISHARES RUSSELL 2000 ETF", _ETP),
    RealSecurity("060505104", "BANK AMERICA CORP", "COM", "BANK OF AMERICA CORP", _COM),
    RealSecurity("22160K105", "COSTCO WHSL CORP NEW", "COM", "COSTCO WHOLESALE CORP", _COM),
    RealSecurity("00287Y109", "ABBVIE INC", "COM", "ABBVIE INC", _COM),
    RealSecurity("58933Y105", "MERCK & CO INC", "COM", "MERCK & CO. INC.", _COM),
    RealSecurity("166764100", "CHEVRON CORP NEW", "COM", "CHEVRON CORP", _COM),
    RealSecurity("931142103", "WALMART INC", "COM", "WALMART INC", _COM),
    RealSecurity("191216100", "COCA COLA CO", "COM", "COCA-COLA CO/THE", _COM),
    RealSecurity("713448108", "PEPSICO INC", "COM", "PEPSICO INC", _COM),
    RealSecurity("464287465", "ISHARES TR", "MSCI EAFE ETF", "ISHARES MSCI EAFE ETF", _ETP),
    RealSecurity("68389X105", "ORACLE CORP", "COM", "ORACLE CORP", _COM),
    RealSecurity("17275R102", "CISCO SYS INC", "COM", "CISCO SYSTEMS INC", _COM),
    RealSecurity("00724F101", "ADOBE INC", "COM", "ADOBE INC", _COM),
    RealSecurity("64110L106", "NETFLIX INC", "COM", "NETFLIX INC", _COM),
    RealSecurity("007903107", "ADVANCED MICRO DEVICES INC", "COM", "ADVANCED MICRO DEVICES", _COM),
    RealSecurity("78463V107", "SPDR GOLD TR", "GOLD SHS", "SPDR GOLD SHARES", _ETP),
    RealSecurity("464287226", "ISHARES TR", "CORE US AGGBD ET", "ISHARES CORE U.S. AGGREGATE", _ETP),
    RealSecurity("717081103", "PFIZER INC", "COM", "PFIZER INC", _COM),
    RealSecurity("254687106", "DISNEY WALT CO", "COM", "WALT DISNEY CO/THE", _COM),
    RealSecurity("002824100", "ABBOTT LABS", "COM", "ABBOTT LABORATORIES", _COM),
    RealSecurity("883556102", "THERMO FISHER SCIENTIFIC INC", "COM", "THERMO FISHER SCIENTIFIC INC", _COM),
    RealSecurity("458140100", "INTEL CORP", "COM", "INTEL CORP", _COM),
    RealSecurity("747525103", "QUALCOMM INC", "COM", "QUALCOMM INC", _COM),
    RealSecurity("882508104", "TEXAS INSTRS INC", "COM", "TEXAS INSTRUMENTS INC", _COM),
    RealSecurity("459200101", "INTERNATIONAL BUSINESS MACHS", "COM", "INTL BUSINESS MACHINES CORP", _COM),
    RealSecurity("81369Y803", "SELECT SECTOR SPDR TR", "TECHNOLOGY", "TECHNOLOGY SELECT SECT SPDR", _ETP),
    RealSecurity("808524797", "SCHWAB STRATEGIC TR", "US DIVIDEND EQ", "SCHWAB US DIVIDEND EQUITY ETF", _ETP),
    RealSecurity("921943858", "VANGUARD TAX MANAGED FDS", "VAN FTSE DEV MKT", "VANGUARD FTSE DEVELOPED ETF", _ETP),
    RealSecurity("922042858", "VANGUARD INTL EQUITY INDEX F", "FTSE EMR MKT ETF", "VANGUARD FTSE EMERGING MARKE", _ETP),
    RealSecurity("921937835", "VANGUARD BD INDEX FDS", "TOTAL BND MRKT", "VANGUARD TOTAL BOND MARKET", _ETP),
    RealSecurity("464287432", "ISHARES TR", "20 YR TR BD ETF", "ISHARES 20+ YEAR TREASURY BO", _ETP),
    RealSecurity("464287242", "ISHARES TR", "IBOXX INV CP ETF", "ISHARES IBOXX INVESTMENT GRA", _ETP),
    RealSecurity("464288513", "ISHARES TR", "IBOXX HI YD ETF", "ISHARES IBOXX HIGH YIELD COR", _ETP),
    RealSecurity("92189F676", "VANECK ETF TRUST", "SEMICONDUCTR ETF", "VANECK SEMICONDUCTOR ETF", _ETP),
    RealSecurity("464287523", "ISHARES TR", "SEMICONDUCTOR ET", "ISHARES SEMICONDUCTOR ETF", _ETP),
    RealSecurity("464287515", "ISHARES TR", "EXPANDED TECH-SOFTWARE", "ISHARES EXPANDED TECH-SOFTWARE", _ETP),
    RealSecurity("00214Q104", "ARK ETF TR", "INNOVATION ETF", "ARK INNOVATION ETF", _ETP),
    RealSecurity("38141G104", "GOLDMAN SACHS GROUP INC", "COM", "GOLDMAN SACHS GROUP INC", _COM),
    RealSecurity("617446448", "MORGAN STANLEY", "COM NEW", "MORGAN STANLEY", _COM),
    RealSecurity("949746101", "WELLS FARGO CO NEW", "COM", "WELLS FARGO & CO", _COM),
    RealSecurity("172967424", "CITIGROUP INC", "COM NEW", "CITIGROUP INC", _COM),
    RealSecurity("097023105", "BOEING CO", "COM", "BOEING CO/THE", _COM),
    RealSecurity("149123101", "CATERPILLAR INC", "COM", "CATERPILLAR INC", _COM),
    RealSecurity("438516106", "HONEYWELL INTL INC", "COM", "HONEYWELL INTERNATIONAL INC", _COM),
    RealSecurity("911312106", "UNITED PARCEL SERVICE INC", "CL B", "UNITED PARCEL SERVICE-CL B", _COM),
    RealSecurity("548661107", "LOWES COS INC", "COM", "LOWE'S COS INC", _COM),
    RealSecurity("855244109", "STARBUCKS CORP", "COM", "STARBUCKS CORP", _COM),
    RealSecurity("031162100", "AMGEN INC", "COM", "AMGEN INC", _COM),
    RealSecurity("375558103", "GILEAD SCIENCES INC", "COM", "GILEAD SCIENCES INC", _COM),
    RealSecurity("110122108", "BRISTOL-MYERS SQUIBB CO", "COM", "BRISTOL-MYERS SQUIBB CO", _COM),
    RealSecurity("20030N101", "COMCAST CORP NEW", "CL A", "COMCAST CORP-CLASS A", _COM),
    RealSecurity("038222105", "APPLIED MATLS INC", "COM", "APPLIED MATERIALS INC", _COM),
    RealSecurity("512807306", "LAM RESEARCH CORP", "COM NEW", "LAM RESEARCH CORP", _COM),
    RealSecurity("482480100", "KLA CORP", "COM NEW", "KLA CORP", _COM),
    RealSecurity("032654105", "ANALOG DEVICES INC", "COM", "ANALOG DEVICES INC", _COM),
    RealSecurity("70450Y103", "PAYPAL HLDGS INC", "COM", "PAYPAL HOLDINGS INC", _COM),
    RealSecurity("90353T100", "UBER TECHNOLOGIES INC", "COM", "UBER TECHNOLOGIES INC", _COM),
    RealSecurity("461202103", "INTUIT", "COM", "INTUIT INC", _COM),
    RealSecurity("697435105", "PALO ALTO NETWORKS INC", "COM", "PALO ALTO NETWORKS INC", _COM),
    RealSecurity("22788C105", "CROWDSTRIKE HLDGS INC", "CL A", "CROWDSTRIKE HOLDINGS INC - A", _COM),
    RealSecurity("98138H101", "WORKDAY INC", "CL A", "WORKDAY INC-CLASS A", _COM),
    RealSecurity("052769106", "AUTODESK INC", "COM", "AUTODESK INC", _COM),
    RealSecurity("871607107", "SYNOPSYS INC", "COM", "SYNOPSYS INC", _COM),
    RealSecurity("127387108", "CADENCE DESIGN SYSTEM INC", "COM", "CADENCE DESIGN SYS INC", _COM),
    RealSecurity("G7997R103", "SEAGATE TECHNOLOGY HLDNGS PL", "ORD SHS", "SEAGATE TECHNOLOGY HOLDINGS", _COM),
    RealSecurity("565788106", "MARA HLDGS INC", "COM", "MARA HOLDINGS INC", _COM),
    RealSecurity("767292105", "RIOT PLATFORMS INC", "COM", "RIOT PLATFORMS INC", _COM),
    RealSecurity("18452B209", "CLEANSPARK INC", "COM NEW", "CLEANSPARK INC", _COM),
    RealSecurity("46438F101", "ISHARES BITCOIN TR", "SHS", "ISHARES BITCOIN TRUST ETF", _ETP, SPOT_BITCOIN_FUNDS_FROM),
    RealSecurity("389375106", "GRAYSCALE BITCOIN TR BTC", "SHS", "GRAYSCALE BITCOIN TRUST ETF", _ETP, SPOT_BITCOIN_FUNDS_FROM),
    RealSecurity("315948109", "FIDELITY WISE ORIGIN BITCOIN", "SHS", "FIDELITY WISE ORIGIN BITCOIN", _ETP, SPOT_BITCOIN_FUNDS_FROM),
)
UNKNOWN_EVERY, UNKNOWN_AT, UNKNOWN_FROM = 29, 7, 60  # tail i >= 60 with i % 29 == 7: on no list, unknown to OpenFIGI
LIST_ONLY_AT = 11  # tail i % 29 == 11: on the SEC's list, unknown to OpenFIGI
OPENFIGI_JOBS_PER_EXCHANGE = 100  # as a keyed live run lands them


def synthetic_cusip(i: int) -> str:
    base = f"Z{i:05d}10"
    return base + check_digit(base)


def tail_is_unknown(i: int) -> bool:
    return i >= UNKNOWN_FROM and i % UNKNOWN_EVERY == UNKNOWN_AT


def universe_securities(n_synthetic: int) -> tuple[list[str], list[str]]:
    """CUSIPs and filed issuer names of the securities after the taxonomy's: the real ones, then the tail."""
    real = REAL_SECURITIES[:n_synthetic]
    tail = range(n_synthetic - len(real))
    return ([s.cusip for s in real] + [synthetic_cusip(i) for i in tail],
            [s.list_name for s in real] + [f"SYNTHETIC ISSUER {i:05d}" for i in tail])


def write_security_map(out_dir: Path, *, periods: list[dt.date], taxonomy_names: dict[str, str],
                       n_synthetic: int, end: dt.date) -> None:
    """Each quarter's 13(f) list (quarters ended by ``end``) and OpenFIGI's answers for every CUSIP held."""
    cusips, names = universe_securities(n_synthetic)
    real = {s.cusip: s for s in REAL_SECURITIES}
    tail = {cusip: i for i, cusip in enumerate(cusips[len(real):] if len(cusips) > len(real) else [])}
    for quarter_end in [p for p in periods if p <= end]:
        listed = [ListedSecurity(c, n, "COM", True) for c, n in taxonomy_names.items()]
        for cusip, name in zip(cusips, names):
            security = real.get(cusip)
            if security is not None:
                if security.listed_from is None or security.listed_from <= quarter_end:
                    listed.append(ListedSecurity(cusip, name, security.description, True,
                                                 "ADDED" if security.listed_from == quarter_end else None))
            elif not tail_is_unknown(tail[cusip]):
                listed.append(ListedSecurity(cusip, name, "COM", False))
        write_13f_list(out_dir, quarter_end, listed)
    asked = list(taxonomy_names) + cusips
    # OpenFIGI is a cache asked for the CUSIPs it lacks, i.e. after a quarter's holdings arrive, not
    # every day: asked the morning after the newest quarter ended, so a weekday repeats the answers
    # as stored and nothing downstream of them is rebuilt (the live loader asks only new CUSIPs)
    ended = [p for p in periods if p < end]
    fetched_at = dt.datetime.combine(max(ended) + dt.timedelta(days=1) if ended else end, dt.time(6))
    for n, first in enumerate(range(0, len(asked), OPENFIGI_JOBS_PER_EXCHANGE), start=1):
        batch = asked[first:first + OPENFIGI_JOBS_PER_EXCHANGE]
        write_openfigi_exchange(out_dir, f"mapping_060000_{n:05d}", fetched_at, batch,
                                [_answer(c, real, tail, taxonomy_names) for c in batch])


def _answer(cusip: str, real: dict[str, RealSecurity], tail: dict[str, int], taxonomy_names: dict[str, str]) -> dict:
    if cusip in tail and (tail_is_unknown(tail[cusip]) or tail[cusip] % UNKNOWN_EVERY == LIST_ONLY_AT):
        return {"warning": "No identifier found."}
    security = real.get(cusip)
    name = security.figi_name if security else taxonomy_names.get(cusip) or f"SYNTHETIC ISSUER {tail[cusip]:05d}"
    kind = security.security_type if security else _COM
    figi = f"BBGSYN{cusip[:6]}"  # made up: the scenario does not claim real FIGIs
    return {"data": [{"figi": figi, "name": name, "ticker": None, "exchCode": "US", "compositeFIGI": figi,
                      "securityType": kind, "marketSector": "Equity", "securityType2": "Common Stock"
                      if kind == _COM else "Mutual Fund"}]}
