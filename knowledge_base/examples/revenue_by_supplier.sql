-- Question: Which suppliers generate the most revenue?
-- Description: Revenue and units sold of each supplier's products, with the supplier's country.
SELECT s.name AS supplier,
       s.country,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS revenue,
       SUM(oi.quantity) AS units_sold
FROM suppliers AS s
JOIN products AS p ON p.supplier_id = s.supplier_id
JOIN order_items AS oi ON oi.product_id = p.product_id
JOIN orders AS o ON o.order_id = oi.order_id
WHERE o.status NOT IN ('cancelled', 'returned')
GROUP BY s.supplier_id, s.name, s.country
ORDER BY revenue DESC;
